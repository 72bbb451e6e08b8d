import type { FieldProblem } from "./api-error.js";
import { API_ERRORS, type ApiErrorCode } from "./api-error-codes.js";

/** The RFC 9457 body every API error has. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: ApiErrorCode;
  instance?: string;
  errors?: readonly FieldProblem[];
  [extension: string]: unknown;
}

/** `type` URIs point at the error list in the docs, one anchor per code. */
export function problemFor(
  code: ApiErrorCode,
  detail?: string,
  extra: Record<string, unknown> = {},
): Problem {
  const { status, title } = API_ERRORS[code];
  return {
    type: `https://unify-phone-emulator.invalid/docs/errors#${code}`,
    title,
    status,
    ...(detail ? { detail } : {}),
    code,
    ...extra,
  };
}
