import type { CtiService } from "../cti/index.js";
import { PresenceService } from "../services/index.js";
import type { ControllableClock } from "../shared/clock.js";
import type { CallLayer } from "./start-calls.js";

/**
 * Step 3c: presence (DND, busy) per user, fed by the calls and the desk phones' CSTA events,
 * and the B2BUA's view of it for the routing decision of incoming calls (docs/cti.md).
 */
export function startPresence(
  calls: CallLayer,
  cti: CtiService,
  env: { clock: ControllableClock },
): PresenceService {
  const { b2bua, webhook } = calls;
  // Answered calls per user, kept from the call events (no scan of the journal per event).
  const answered = new Map<string, Set<string>>();
  const talking = (userId: string) => (answered.get(userId)?.size ?? 0) > 0;
  const presence = new PresenceService({
    now: () => env.clock.now(),
    appBusy: talking,
    deskPhone: (userId) => {
      const phone = cti.knownDeskPhone(userId);
      return (
        phone && {
          // A closed CTI session leaves the last state behind: it says nothing about busy now.
          busy: phone.cti === "connected" && (phone.status === "connected" || phone.status === "held"),
          dnd: phone.dnd,
          cti: phone.cti === "connected",
        }
      );
    },
    setDeskDnd: async (userId, dnd) => {
      await cti.act(userId, { action: "dnd", on: dnd });
    },
  });
  b2bua.events.on((e) => {
    const call = b2bua.journal.get(e.callId);
    if (!call?.userId) return;
    const calls = answered.get(call.userId) ?? new Set<string>();
    const had = calls.has(call.id);
    if (call.state === "answered" && call.kind === "connector") calls.add(call.id);
    else calls.delete(call.id);
    if (calls.size > 0) answered.set(call.userId, calls);
    else answered.delete(call.userId);
    if (had !== calls.has(call.id)) presence.refresh(call.tenantId, call.userId);
  });
  // The desk phone's DND as last seen, per user: a change there becomes the user's DND; when a
  // desk phone becomes monitored, DND set in the app meanwhile goes to it (the app's word is newer).
  const seen = new Map<string, { monitored: boolean; dnd: boolean }>();
  cti.notices.on((notice) => {
    if (notice.type !== "desk-phone.state") return;
    const { tenantId, userId, state } = notice;
    const last = seen.get(userId);
    seen.set(userId, { monitored: state.monitored, dnd: state.dnd });
    const now = presence.get(tenantId, userId);
    const settle = (dnd: boolean, source: "app" | "desk-phone") =>
      presence.setDnd(tenantId, userId, dnd, source).catch(() => {});
    if (state.monitored && !last?.monitored) {
      if (now.dndSource === "app" && state.dnd !== now.dnd) void settle(now.dnd, "app");
      else if (state.dnd && !now.dnd) void settle(true, "desk-phone");
      else presence.refresh(tenantId, userId);
    } else if (state.monitored && state.dnd !== last?.dnd && state.dnd !== now.dnd) {
      void settle(state.dnd, "desk-phone");
    } else presence.refresh(tenantId, userId);
  });
  b2bua.routing = {
    presence: (tenantId, userId) => presence.get(tenantId, userId),
  };
  presence.changed.on((change) => webhook.presenceChanged({ ...change }));
  return presence;
}
