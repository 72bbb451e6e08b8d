import { API_ERRORS, type ApiErrorCode } from "./api-error-codes.js";

/** One problem of a request, e.g. one bad row of an import (RFC 9457 extension member). */
export interface FieldProblem {
  readonly row?: number;
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/**
 * An error the API answers as RFC 9457 problem+json: a registry `code` (which fixes the
 * status and title), a human `detail`, and optional extension members.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ApiErrorCode,
    readonly detail?: string,
    readonly extensions: {
      errors?: readonly FieldProblem[];
      retryAfterSeconds?: number;
      /**
       * Another status for the code on a surface where the registry's does not fit (the JWT
       * codes: 403 on the PBX side, 409 when a user or admin asks the service); docs/errors.md says so.
       */
      status?: number;
      [key: string]: unknown;
    } = {},
  ) {
    super(detail ?? API_ERRORS[code].title);
    this.status = extensions.status ?? API_ERRORS[code].status;
    this.title = API_ERRORS[code].title;
  }
}
