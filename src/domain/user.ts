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

/**
 * The keys a virtual user's behaviour may have and what each accepts (the B2BUA reads
 * them: src/b2bua/call-behaviour.ts). Checked strictly, so a typo is an error and never
 * silently the default.
 */
const CALL_BEHAVIOUR_RULES: Record<string, (v: unknown) => boolean> = {
  mode: (v) =>
    ["answer", "busy", "reject", "unavailable", "no-answer", "forward", "voicemail"].includes(v as string),
  ringMs: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 600_000,
  media: (v) => ["echo", "tone", "silence"].includes(v as string),
  to: (v) => typeof v === "string" && /^\+?[0-9*#]{1,32}$/.test(v),
  routing: (v) => ["parallel", "clients-only", "virtual-only"].includes(v as string),
};

const CALL_BEHAVIOUR_HELP =
  "mode: answer|busy|reject|unavailable|no-answer|forward|voicemail, ringMs: 0–600000, media: echo|tone|silence, to: a number (forward), routing: parallel|clients-only|virtual-only";

/** A behaviour object as above, at most 4 KB of JSON; returned as a copy. */
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
  for (const [key, v] of Object.entries(value)) {
    const rule = CALL_BEHAVIOUR_RULES[key];
    if (!rule)
      throw new DomainError(
        "invalid_call_behaviour",
        `${field}.${key} is not a known key (${CALL_BEHAVIOUR_HELP})`,
        `${field}.${key}`,
      );
    if (!rule(v))
      throw new DomainError(
        "invalid_call_behaviour",
        `${field}.${key} is not valid (${CALL_BEHAVIOUR_HELP})`,
        `${field}.${key}`,
      );
  }
  if (
    (value as { mode?: unknown }).mode === "forward" &&
    typeof (value as { to?: unknown }).to !== "string"
  ) {
    throw new DomainError(
      "invalid_call_behaviour",
      `${field}.to is required when mode is forward`,
      `${field}.to`,
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
