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

/**
 * Where the user's incoming calls ring (Unify Phone HowTo §3.6.4): app and desk phone together
 * (default), only the desk phone, only the app, or an alternative number.
 */
export const USER_ROUTINGS = ["default", "desk-phone", "unify-phone", "alternative"] as const;
export type UserRouting = (typeof USER_ROUTINGS)[number];

/** A second call while the user talks: refused as busy, or alerted (call waiting). */
export const BUSY_BEHAVIOURS = ["busy", "call-waiting"] as const;
export type BusyBehaviour = (typeof BUSY_BEHAVIOURS)[number];

export interface RoutingSettings {
  routing: UserRouting;
  /** E.164 or a PBX number; present exactly when routing is alternative. */
  alternativeNumber?: string;
  busyBehaviour: BusyBehaviour;
}

export const DEFAULT_ROUTING: Readonly<RoutingSettings> = Object.freeze({
  routing: "default",
  busyBehaviour: "call-waiting",
});

/**
 * The routing settings after a change: `undefined` keeps a field, `null` clears the
 * alternative number. The alternative number is required with routing alternative and
 * dropped with any other routing.
 */
export function validateRouting(
  current: RoutingSettings,
  change: { routing?: unknown; alternativeNumber?: unknown; busyBehaviour?: unknown },
): RoutingSettings {
  const routing = change.routing === undefined ? current.routing : change.routing;
  if (!USER_ROUTINGS.includes(routing as UserRouting)) {
    throw new DomainError("invalid_routing", `routing must be one of ${USER_ROUTINGS.join(", ")}`, "routing");
  }
  const busy = change.busyBehaviour === undefined ? current.busyBehaviour : change.busyBehaviour;
  if (!BUSY_BEHAVIOURS.includes(busy as BusyBehaviour)) {
    throw new DomainError(
      "invalid_busy_behaviour",
      `busyBehaviour must be one of ${BUSY_BEHAVIOURS.join(", ")}`,
      "busyBehaviour",
    );
  }
  const number =
    change.alternativeNumber === undefined
      ? current.alternativeNumber
      : change.alternativeNumber === null
        ? undefined
        : change.alternativeNumber;
  const settings: RoutingSettings = { routing: routing as UserRouting, busyBehaviour: busy as BusyBehaviour };
  if (routing !== "alternative") return settings;
  if (number === undefined) {
    throw new DomainError(
      "invalid_alternative_number",
      "alternativeNumber is required when routing is alternative",
      "alternativeNumber",
    );
  }
  if (typeof number !== "string" || !/^\+?[0-9]{1,15}$/.test(number)) {
    throw new DomainError(
      "invalid_alternative_number",
      "alternativeNumber must be E.164 (+ and at most 15 digits) or a PBX number (digits)",
      "alternativeNumber",
    );
  }
  settings.alternativeNumber = number;
  return settings;
}

export interface User extends RoutingSettings {
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
