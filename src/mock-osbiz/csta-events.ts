import type { ConnectionState, CstaMessage } from "../cti/index.js";
import type { DeskPhoneEvent } from "./desk-phone.js";

/**
 * The ECMA-323 event a monitor `crossRefId` on `event.device` receives. Each connection names
 * the device it belongs to; localConnectionInfo is the state of the monitored device's own
 * connection after the event.
 */
export function cstaEvent(event: DeskPhoneEvent, crossRefId: string): CstaMessage {
  const monitorCrossRefID = crossRefId;
  const own = (state: ConnectionState) => ({ localConnectionInfo: state });
  if (event.type === "DoNotDisturb")
    return { type: "DoNotDisturbEvent", monitorCrossRefID, device: event.device, doNotDisturbOn: event.on };
  if (event.type === "Forwarding")
    return {
      type: "ForwardingEvent",
      monitorCrossRefID,
      device: event.device,
      forwardingType: event.forwardingType,
      forwardStatus: event.on,
      ...(event.destination === undefined ? {} : { forwardTo: event.destination }),
    };
  const { call, device } = event;
  const conn = (deviceID: string) => ({ callID: call.id, deviceID });
  const parties = { callingDevice: call.calling, calledDevice: call.called };
  switch (event.type) {
    case "ServiceInitiated":
      return {
        type: "ServiceInitiatedEvent",
        monitorCrossRefID,
        initiatedConnection: conn(device),
        initiatingDevice: device,
        ...own("initiated"),
      };
    case "Originated":
      return {
        type: "OriginatedEvent",
        monitorCrossRefID,
        originatedConnection: conn(device),
        ...parties,
        ...own("connected"),
      };
    case "Delivered":
      return {
        type: "DeliveredEvent",
        monitorCrossRefID,
        connection: conn(event.alerting),
        alertingDevice: event.alerting,
        ...parties,
        ...own(device === event.alerting ? "alerting" : "connected"),
      };
    case "Established":
      return {
        type: "EstablishedEvent",
        monitorCrossRefID,
        establishedConnection: conn(event.answering),
        answeringDevice: event.answering,
        ...parties,
        ...own("connected"),
      };
    case "Held":
      return {
        type: "HeldEvent",
        monitorCrossRefID,
        heldConnection: conn(event.holding),
        holdingDevice: event.holding,
        ...own(device === event.holding ? "hold" : "connected"),
      };
    case "Retrieved":
      return {
        type: "RetrievedEvent",
        monitorCrossRefID,
        retrievedConnection: conn(event.retrieving),
        retrievingDevice: event.retrieving,
        ...own("connected"),
      };
    case "ConnectionCleared":
      return {
        type: "ConnectionClearedEvent",
        monitorCrossRefID,
        droppedConnection: conn(event.releasing),
        releasingDevice: event.releasing,
        ...own("null"),
      };
    case "Transferred":
      return {
        type: "TransferedEvent",
        monitorCrossRefID,
        primaryOldCall: conn(event.transferring),
        ...(event.secondary
          ? { secondaryOldCall: { callID: event.secondary.id, deviceID: event.transferring } }
          : {}),
        transferringDevice: event.transferring,
        transferredToDevice: event.to,
        ...own(device === event.transferring ? "null" : "connected"),
      };
    case "Diverted":
      return {
        type: "DivertedEvent",
        monitorCrossRefID,
        connection: conn(event.from),
        divertingDevice: event.from,
        newDestination: event.to,
        ...own(device === event.from ? "null" : "connected"),
      };
  }
}
