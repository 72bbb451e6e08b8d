import { DomainError } from "./domain-error.js";
import type { Locale } from "./validators.js";

export const USER_ROLES = ["user", "admin"] as const;

export type UserRole = (typeof USER_ROLES)[number];

/**
 * How the emulated user reacts to a call: a placeholder for the calls issue, stored as
 * JSON. Until calls exist only its shape is checked (an object of at most 4 KB).
 */
export type CallBehaviour = Record<string, unknown>;

export const DEFAULT_CALL_BEHAVIOUR: Readonly<CallBehaviour> = Object.freeze({
  mode: "answer",
  ringMs: 1000,
});

const CALL_BEHAVIOUR_MAX_BYTES = 4096;

/** A JSON object of at most 4 KB (UTF-8 of its JSON text); returned as a copy. */
export function validateCallBehaviour(value: unknown, field = "callBehaviour"): CallBehaviour {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DomainError("invalid_call_behaviour", `${field} must be a JSON object`, field);
  }
  const json = JSON.stringify(value);
  if (new TextEncoder().encode(json).length > CALL_BEHAVIOUR_MAX_BYTES) {
    throw new DomainError(
      "invalid_call_behaviour",
      `${field} must be at most ${CALL_BEHAVIOUR_MAX_BYTES} bytes of JSON`,
      field,
    );
  }
  return JSON.parse(json) as CallBehaviour;
}

export interface User {
  id: string;
  tenantId: string;
  /** unique per tenant, compared case-insensitively */
  emailAddress: string;
  firstName: string;
  lastName: string;
  locale: Locale;
  role: UserRole;
  /** the trunk (PBX) the user is assigned to */
  trunkId?: string;
  /** internal call number on the PBX */
  callno?: string;
  did?: string;
  /** E.164 (+…) with international numbering, the callno with internal numbering; unique per tenant */
  phoneNumber?: string;
  /** placeholder for the calls issue; default DEFAULT_CALL_BEHAVIOUR */
  callBehaviour: CallBehaviour;
  createdAt: number;
  updatedAt: number;
}
