import type { ConnectionState, CstaMessage, ForwardingEntry, ForwardingType } from "./csta/index.js";

export type DeskPhoneStatus = "idle" | "ringing" | "connected" | "held";

/** A user's desk phone as the CSTA events describe it. */
export interface DeskPhone {
  readonly userId: string;
  readonly tenantId: string;
  readonly trunkId: string;
  /** The CSTA device: the user's callno. */
  readonly device: string;
  monitorCrossRefID: string | undefined;
  status: DeskPhoneStatus;
  /** The device's calls by CSTA callID and their local connection state. */
  readonly calls: Map<string, ConnectionState>;
  dnd: boolean;
  readonly forwarding: Map<ForwardingType, { active: boolean; destination?: string }>;
  updatedAt: number;
}

export const newDeskPhone = (
  user: { userId: string; tenantId: string; trunkId: string; device: string },
  at: number,
): DeskPhone => ({
  ...user,
  monitorCrossRefID: undefined,
  status: "idle",
  calls: new Map(),
  dnd: false,
  forwarding: new Map(),
  updatedAt: at,
});

/** One status from the device's calls: talking beats ringing beats holding. */
export function statusOf(calls: ReadonlyMap<string, ConnectionState>): DeskPhoneStatus {
  const states = new Set(calls.values());
  if (states.has("connected") || states.has("initiated")) return "connected";
  if (states.has("alerting")) return "ringing";
  if (states.has("hold")) return "held";
  return "idle";
}

const setCall = (phone: DeskPhone, callID: string, state: ConnectionState | undefined): void => {
  if (state === undefined || state === "null" || state === "fail") phone.calls.delete(callID);
  else phone.calls.set(callID, state);
};

/**
 * Apply a CSTA event to the phone; true when it concerned this phone. The event's
 * localConnectionInfo wins; without it the state follows from the event and whether the
 * phone is the acting device.
 */
export function applyEvent(phone: DeskPhone, event: CstaMessage, at: number): boolean {
  const me = phone.device;
  const local = "localConnectionInfo" in event ? event.localConnectionInfo : undefined;
  switch (event.type) {
    case "ServiceInitiatedEvent":
      setCall(phone, event.initiatedConnection.callID, local ?? "initiated");
      break;
    case "OriginatedEvent":
      setCall(phone, event.originatedConnection.callID, local ?? "connected");
      break;
    case "DeliveredEvent":
      setCall(
        phone,
        event.connection.callID,
        local ?? (event.alertingDevice === me ? "alerting" : "connected"),
      );
      break;
    case "EstablishedEvent":
      setCall(phone, event.establishedConnection.callID, local ?? "connected");
      break;
    case "HeldEvent":
      setCall(
        phone,
        event.heldConnection.callID,
        local ?? (event.holdingDevice === me ? "hold" : "connected"),
      );
      break;
    case "RetrievedEvent":
      setCall(phone, event.retrievedConnection.callID, local ?? "connected");
      break;
    case "ConnectionClearedEvent":
      setCall(phone, event.droppedConnection.callID, local ?? "null");
      break;
    case "TransferedEvent":
      if (event.transferringDevice === me) {
        phone.calls.delete(event.primaryOldCall.callID);
        if (event.secondaryOldCall) phone.calls.delete(event.secondaryOldCall.callID);
      }
      break;
    case "DivertedEvent":
      if (event.divertingDevice === me) phone.calls.delete(event.connection.callID);
      else setCall(phone, event.connection.callID, local ?? "alerting");
      break;
    case "DoNotDisturbEvent":
      phone.dnd = event.doNotDisturbOn;
      break;
    case "ForwardingEvent":
      phone.forwarding.set(event.forwardingType, {
        active: event.forwardStatus,
        ...(event.forwardTo ? { destination: event.forwardTo } : {}),
      });
      break;
    default:
      return false;
  }
  phone.status = statusOf(phone.calls);
  phone.updatedAt = at;
  return true;
}

export function applyForwardingList(phone: DeskPhone, list: readonly ForwardingEntry[]): void {
  phone.forwarding.clear();
  for (const entry of list) {
    phone.forwarding.set(entry.forwardingType, {
      active: entry.forwardStatus,
      ...(entry.forwardDN ? { destination: entry.forwardDN } : {}),
    });
  }
}

/** The JSON view of a desk phone (REST and webhooks). */
export function deskPhoneView(phone: DeskPhone, connected: boolean) {
  return {
    userId: phone.userId,
    device: phone.device,
    cti: connected ? ("connected" as const) : ("disconnected" as const),
    monitored: phone.monitorCrossRefID !== undefined,
    status: phone.status,
    calls: [...phone.calls].map(([callId, state]) => ({ callId, state })),
    dnd: phone.dnd,
    forwarding: [...phone.forwarding].map(([type, value]) => ({ type, ...value })),
    updatedAt: new Date(phone.updatedAt).toISOString(),
  };
}
export type DeskPhoneView = ReturnType<typeof deskPhoneView>;
