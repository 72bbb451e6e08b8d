import type { Call } from "../b2bua/index.js";

/** The fields of a journal call that every view of it shows (structurally the B2BUA's `Call`). */
export type CallSummarySource = Pick<
  Call,
  | "id"
  | "direction"
  | "state"
  | "tenantId"
  | "trunkId"
  | "trunkName"
  | "userId"
  | "from"
  | "to"
  | "finalStatus"
  | "hangupCause"
>;

/** Who called whom over which trunk, and how the call stands: the webhook's call is this. */
export function callSummaryView(call: CallSummarySource) {
  return {
    id: call.id,
    direction: call.direction,
    state: call.state,
    tenantId: call.tenantId,
    trunkId: call.trunkId,
    trunk: call.trunkName,
    userId: call.userId,
    from: call.from,
    to: call.to,
    finalStatus: call.finalStatus,
    hangupCause: call.hangupCause,
  };
}

export type CallSummaryView = ReturnType<typeof callSummaryView>;

/** The journal entry of GET /api/admin/calls/{callId}: the summary plus times, media, DTMF, legs and events. */
export function callView(call: Call, now: number) {
  const media = call.media;
  return {
    ...callSummaryView(call),
    createdAt: iso(call.createdAt),
    ringingAt: iso(call.ringingAt),
    answeredAt: iso(call.answeredAt),
    endedAt: iso(call.endedAt),
    durationMs: call.answeredAt === null ? null : (call.endedAt ?? now) - call.answeredAt,
    endedBy: call.endedBy,
    refusedBy: call.refusedBy,
    warning: call.warning,
    onHold: call.onHold,
    media: media
      ? { mode: media.mode, direction: media.direction, localPort: media.localPort, stats: media.stats }
      : anchoredView(call),
    dtmf: call.dtmf.map((d) => ({ digit: d.digit, via: d.via, at: iso(d.at) })),
    legs: call.legs,
    events: call.events.map((e) => ({
      at: iso(e.at),
      type: e.type,
      ...(e.detail === undefined ? {} : { detail: e.detail }),
    })),
    kind: call.kind,
    pulledFrom: call.pulledFrom,
    cti: call.cti.map((e) => ({ ...e, at: iso(e.at) })),
  };
}

export type CallView = ReturnType<typeof callView>;

/**
 * A client call's media, anchored in the connector: mode "relay"; direction, port and
 * counters of the PBX leg at the top (as a virtual user's), both legs under `pbx` and `client`.
 */
function anchoredView(call: Call) {
  const anchored = call.anchoredMedia;
  if (!anchored) return null;
  const { pbx, client } = anchored.views();
  return { mode: "relay", direction: pbx.direction, localPort: pbx.localPort, stats: pbx.stats, pbx, client };
}

function iso(ms: number): string;
function iso(ms: number | null): string | null;
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
