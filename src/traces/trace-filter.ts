import type { TraceEntry, TraceKind, TraceOwner } from "./trace-entry.js";

export interface TraceFilter {
  /** A SIP Call-ID or an emulator call id: its SIP messages, call events and fault hits. */
  readonly callId?: string;
  /** Trunk id or trunk name. */
  readonly trunk?: string;
  readonly tenant?: string;
  /** Emulator clock, ms since the epoch: entries at or after it. */
  readonly since?: number;
  readonly kinds?: readonly TraceKind[];
  /** Keep the newest N matching entries. */
  readonly limit?: number;
}

/** Entries matching every given criterion, oldest first. */
export function filterTrace(entries: readonly TraceEntry[], filter: TraceFilter = {}): TraceEntry[] {
  const owned = inheritOwners(entries);
  const callIds = filter.callId === undefined ? undefined : relatedCallIds(owned, filter.callId);
  const kinds = filter.kinds ? new Set(filter.kinds) : undefined;
  const matching = owned.filter(
    (e) =>
      (kinds === undefined || kinds.has(e.kind)) &&
      (filter.since === undefined || e.at >= filter.since) &&
      (filter.tenant === undefined || e.tenantId === filter.tenant) &&
      (filter.trunk === undefined || ownsTrunk(e as TraceOwner, filter.trunk)) &&
      (callIds === undefined || touchesCall(e, callIds)),
  );
  return filter.limit === undefined ? matching : matching.slice(Math.max(0, matching.length - filter.limit));
}

function ownsTrunk(owner: TraceOwner, trunk: string): boolean {
  return owner.trunkId === trunk || owner.trunkName === trunk;
}

/**
 * A connection's owner is only known once a REGISTER on it succeeded, so its first messages
 * (and its "opened" entry) take the owner of later entries on the same connection, when
 * those all agree.
 */
function inheritOwners(entries: readonly TraceEntry[]): TraceEntry[] {
  const owners = new Map<string, TraceOwner | null>();
  for (const e of entries) {
    if ((e.kind !== "sip" && e.kind !== "connection") || e.trunkId === undefined) continue;
    const known = owners.get(e.connectionId);
    if (known === undefined) owners.set(e.connectionId, pickOwner(e));
    else if (known !== null && known.trunkId !== e.trunkId) owners.set(e.connectionId, null);
  }
  return entries.map((e) => {
    if ((e.kind !== "sip" && e.kind !== "connection") || e.trunkId !== undefined) return e;
    const owner = owners.get(e.connectionId);
    return owner ? { ...e, ...owner } : e;
  });
}

function pickOwner(owner: TraceOwner): TraceOwner {
  return {
    ...(owner.tenantId === undefined ? {} : { tenantId: owner.tenantId }),
    ...(owner.trunkId === undefined ? {} : { trunkId: owner.trunkId }),
    ...(owner.trunkName === undefined ? {} : { trunkName: owner.trunkName }),
  };
}

/** The id asked for plus, through call entries, the emulator call and every leg's Call-ID. */
function relatedCallIds(entries: readonly TraceEntry[], callId: string): Set<string> {
  const ids = new Set([callId]);
  for (const e of entries) {
    if (e.kind !== "call") continue;
    if (e.callId === callId || e.sipCallIds?.includes(callId)) {
      ids.add(e.callId);
      for (const id of e.sipCallIds ?? []) ids.add(id);
    }
  }
  return ids;
}

function touchesCall(e: TraceEntry, ids: Set<string>): boolean {
  switch (e.kind) {
    case "sip":
      return e.summary.callId !== undefined && ids.has(e.summary.callId);
    case "call":
      return ids.has(e.callId);
    case "fault":
      return e.callId !== undefined && ids.has(e.callId);
    default:
      return false;
  }
}
