import type { MediaMode } from "../media/index.js";

/**
 * Who rings when a PBX calls the user: the user's registered Unify Phone clients in
 * parallel with the virtual behaviour (default), only the clients, or only the virtual user.
 */
export type ClientRouting = "parallel" | "clients-only" | "virtual-only";

export const CLIENT_ROUTINGS: readonly ClientRouting[] = ["parallel", "clients-only", "virtual-only"];

/**
 * What a virtual Unify Phone user does when called (per user, set over REST as
 * `callBehaviour`). Default: ring 1 s, then answer with echo media, clients in parallel.
 */
export type VirtualBehaviour = BehaviourMode & { routing: ClientRouting };

type BehaviourMode =
  | { mode: "answer"; ringMs: number; media: MediaMode }
  | { mode: "busy" }
  | { mode: "reject" }
  | { mode: "unavailable" }
  | { mode: "no-answer"; ringMs: number }
  | { mode: "forward"; to: string }
  | { mode: "voicemail"; ringMs: number };

export const BEHAVIOUR_MODES = [
  "answer",
  "busy",
  "reject",
  "unavailable",
  "no-answer",
  "forward",
  "voicemail",
] as const;

/** Read a stored behaviour object; unknown or missing fields fall back to the defaults. */
export function behaviourOf(raw: Record<string, unknown> | undefined): VirtualBehaviour {
  const routing = CLIENT_ROUTINGS.find((r) => r === raw?.routing) ?? "parallel";
  return { ...modeOf(raw), routing };
}

/** The final answer of a behaviour that refuses at once, without ringing. */
export function refusalOf(
  b: VirtualBehaviour,
): { status: number; reason: string; cause: string } | undefined {
  switch (b.mode) {
    case "busy":
      return { status: 486, reason: "Busy Here", cause: "user busy" };
    case "reject":
      return { status: 603, reason: "Decline", cause: "rejected by the user" };
    case "unavailable":
      return { status: 480, reason: "Temporarily Unavailable", cause: "user unavailable" };
    default:
      return undefined;
  }
}

function modeOf(raw: Record<string, unknown> | undefined): BehaviourMode {
  const mode = typeof raw?.mode === "string" ? raw.mode : "answer";
  const ms = (key: string, fallback: number) => {
    const v = raw?.[key];
    return typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.min(v, 600_000) : fallback;
  };
  const media = raw?.media === "tone" || raw?.media === "silence" ? raw.media : "echo";
  switch (mode) {
    case "busy":
    case "reject":
    case "unavailable":
      return { mode };
    case "no-answer":
      return { mode, ringMs: ms("ringMs", 30_000) };
    case "forward":
      return { mode, to: typeof raw?.to === "string" ? raw.to : "" };
    case "voicemail":
      return { mode, ringMs: ms("ringMs", 1000) };
    default:
      return { mode: "answer", ringMs: ms("ringMs", 1000), media };
  }
}

/** What the routing decision reads of the user's presence (services/presence, wired by the composition). */
export interface UserRoutingPort {
  presence(tenantId: string, userId: string): { readonly dnd: boolean; readonly busy: boolean };
}

/** The routing settings the decision reads (domain/user.ts RoutingSettings). */
export interface RoutingOfUser {
  readonly routing: "default" | "desk-phone" | "unify-phone" | "alternative";
  readonly alternativeNumber?: string;
  readonly busyBehaviour: "busy" | "call-waiting";
}

/** What the connector does with a trunk INVITE for the user, before any leg alerts. */
export type RoutingDecision =
  | { readonly kind: "alert" }
  | { readonly kind: "refuse"; readonly status: number; readonly reason: string; readonly cause: string }
  | { readonly kind: "redirect"; readonly to: string; readonly cause: string };

/**
 * The user's routing, DND and busy settings applied to an incoming call (docs/cti.md, Routing):
 * DND → 480 (RFC 3261 §21.4.18 names DND as a 480 case); desk-phone → 480 (the PBX keeps the
 * desk phone ringing); alternative → 302 to the alternative number (the PBX forwards, as with
 * SetForwarding); busy with busyBehaviour busy → 486; everything else alerts.
 */
export function routingDecision(
  user: RoutingOfUser,
  presence: { readonly dnd: boolean; readonly busy: boolean } | undefined,
): RoutingDecision {
  if (presence?.dnd)
    return {
      kind: "refuse",
      status: 480,
      reason: "Temporarily Unavailable: Do Not Disturb",
      cause: "do not disturb",
    };
  if (user.routing === "desk-phone")
    return {
      kind: "refuse",
      status: 480,
      reason: "Temporarily Unavailable: routing desk-phone (only the desk phone rings)",
      cause: "routing desk-phone",
    };
  if (user.routing === "alternative" && user.alternativeNumber)
    return {
      kind: "redirect",
      to: user.alternativeNumber,
      cause: `routing alternative: forwarded to ${user.alternativeNumber}`,
    };
  if (presence?.busy && user.busyBehaviour === "busy")
    return { kind: "refuse", status: 486, reason: "Busy Here: the user is in a call", cause: "user busy" };
  return { kind: "alert" };
}
