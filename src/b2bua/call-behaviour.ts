import type { MediaMode } from "../media/index.js";

/**
 * What a virtual Unify Phone user does when called (per user, set over REST as
 * `callBehaviour`). Default: ring 1 s, then answer with echo media.
 */
export type VirtualBehaviour =
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
