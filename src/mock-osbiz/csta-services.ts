import {
  type ConnectionId,
  type ConnectionState,
  CstaError,
  type CstaMessage,
  type CstaMessageOf,
} from "../cti/index.js";
import {
  type DeskCall,
  type DeskPhone,
  DeskPhoneError,
  type DeskPhoneState,
  type DeskPhones,
  FORWARDING_TYPES,
  type ForwardingType,
} from "./desk-phone.js";

/** The monitors of one CSTA session: cross-reference id → the device (callno) it watches. */
export interface CstaMonitors {
  start(callno: string): string;
  /** False when no monitor has that id. */
  stop(crossRefId: string): boolean;
}

export interface CstaServiceContext {
  readonly phones: DeskPhones;
  /** The callno of a CSTA device identifier naming a PBX user (callno, DID, sip:/tel: URI). */
  readonly resolve: (device: string) => string | undefined;
  readonly monitors: CstaMonitors;
}

/**
 * One CSTA request on the desk phones, answered with its response (ECMA-269 semantics, modelled
 * calls). Throws CstaError for what the PBX refuses: the caller sends it as CSTAErrorCode.
 * A phone holds two calls at most: one held and one active (consultation).
 */
export function serveCsta(request: CstaMessage, ctx: CstaServiceContext): CstaMessage {
  const invoke = request.invokeId === undefined ? {} : { invokeId: request.invokeId };
  const phone = (device: string) => ctx.phones.get(deviceOf(device, ctx));
  const onCall = <T>(conn: ConnectionId, action: (p: DeskPhone) => T, state: DeskPhoneState[]): T =>
    guarded(() => action(callPhone(conn, ctx, state)));
  switch (request.type) {
    case "MonitorStart":
      return {
        type: "MonitorStartResponse",
        ...invoke,
        monitorCrossRefID: ctx.monitors.start(deviceOf(request.monitorObject, ctx)),
      };
    case "MonitorStop":
      if (!ctx.monitors.stop(request.monitorCrossRefID))
        throw new CstaError("operation", "invalidCrossRefID", `no monitor ${request.monitorCrossRefID}`);
      return { type: "MonitorStopResponse", ...invoke };
    case "SnapshotDevice": {
      const s = phone(request.snapshotObject).snapshot();
      const calls = [
        ...(s.held
          ? [
              {
                connectionIdentifier: { callID: s.held.call.id, deviceID: s.callno },
                localConnectionState: "hold" as const,
              },
            ]
          : []),
        ...(s.call
          ? [
              {
                connectionIdentifier: { callID: s.call.id, deviceID: s.callno },
                localConnectionState: connectionState(s.state),
              },
            ]
          : []),
      ];
      return { type: "SnapshotDeviceResponse", ...invoke, crossRefIDorSnapshotData: calls };
    }
    case "MakeCall": {
      const caller = phone(request.callingDevice);
      const call: DeskCall = guarded(() => caller.makeCall(numberOf(request.calledDirectoryNumber, ctx)));
      return {
        type: "MakeCallResponse",
        ...invoke,
        callingDevice: { callID: call.id, deviceID: caller.callno },
      };
    }
    case "AnswerCall":
      onCall(request.callToBeAnswered, (p) => p.answer(), ["ringing"]);
      return { type: "AnswerCallResponse", ...invoke };
    case "ClearConnection":
      onCall(request.connectionToBeCleared, (p) => p.hangup(), ["dialing", "ringing", "connected", "held"]);
      return { type: "ClearConnectionResponse", ...invoke };
    case "HoldCall":
      onCall(request.callToBeHeld, (p) => p.hold(), ["connected"]);
      return { type: "HoldCallResponse", ...invoke };
    case "RetrieveCall":
      onCall(request.callToBeRetrieved, (p) => p.retrieve(), ["held"]);
      return { type: "RetrieveCallResponse", ...invoke };
    case "DeflectCall":
      onCall(request.callToBeDiverted, (p) => p.deflect(numberOf(request.newDestination, ctx)), ["ringing"]);
      return { type: "DeflectCallResponse", ...invoke };
    case "SetDoNotDisturb":
      phone(request.device).setDnd(request.doNotDisturbOn);
      return { type: "SetDoNotDisturbResponse", ...invoke };
    case "GetDoNotDisturb":
      return { type: "GetDoNotDisturbResponse", ...invoke, doNotDisturbOn: phone(request.device).dnd };
    case "SetForwarding":
      setForwarding(phone(request.device), request, ctx);
      return { type: "SetForwardingResponse", ...invoke };
    case "GetForwarding": {
      const p = phone(request.device);
      const forwardingList = FORWARDING_TYPES.map((forwardingType) => {
        const to = p.forwarding(forwardingType);
        return {
          forwardingType,
          forwardStatus: to !== undefined,
          ...(to === undefined ? {} : { forwardDN: to }),
        };
      });
      return { type: "GetForwardingResponse", ...invoke, forwardingList };
    }
    case "SingleStepTransferCall": {
      const to = numberOf(request.transferredTo, ctx);
      const moved = onCall(request.activeCall, (p) => p.transfer(to), ["connected", "held"]);
      return {
        type: "SingleStepTransferCallResponse",
        ...invoke,
        transferredCall: { callID: moved.id, deviceID: to },
      };
    }
    case "ConsultationCall": {
      const to = numberOf(request.consultedDevice, ctx);
      const made = onCall(request.existingCall, (p) => p.consult(to), ["connected"]);
      return {
        type: "ConsultationCallResponse",
        ...invoke,
        initiatedCall: { callID: made.id, deviceID: deviceOf(request.existingCall.deviceID, ctx) },
      };
    }
    case "AlternateCall":
      guarded(() => twoCallPhone(request, ctx).alternate());
      return { type: "AlternateCallResponse", ...invoke };
    case "TransferCall": {
      const joined = guarded(() => twoCallPhone(request, ctx).transferCalls());
      return {
        type: "TransferCallResponse",
        ...invoke,
        transferredCall: { callID: joined.id, deviceID: joined.called },
      };
    }
    default:
      throw new CstaError("operation", "requestIncompatibleWithObject", `${request.type} is not a request`);
  }
}

/** ECMA-269 LocalConnectionState of the phone's connection in its call. */
export function connectionState(state: DeskPhoneState): ConnectionState {
  switch (state) {
    case "idle":
      return "null";
    case "ringing":
      return "alerting";
    case "held":
      return "hold";
    // The caller's connection is connected while the far end alerts (ECMA-269 Originated).
    default:
      return "connected";
  }
}

function setForwarding(
  phone: DeskPhone,
  request: CstaMessageOf<"SetForwarding">,
  ctx: CstaServiceContext,
): void {
  const type = request.forwardingType;
  if (!(FORWARDING_TYPES as readonly string[]).includes(type))
    throw new CstaError(
      "operation",
      "valueOutOfRange",
      `forwarding type ${type} is not kept by the desk phones`,
    );
  if (request.activateForward && request.forwardDN === undefined)
    throw new CstaError(
      "operation",
      "invalidForwardingDestination",
      "activateForward true needs a forwardDN",
    );
  guarded(() =>
    phone.setForwarding(
      type as ForwardingType,
      request.activateForward ? numberOf(request.forwardDN!, ctx) : undefined,
    ),
  );
}

/** The number in a CSTA device identifier: `2131`, `+4923026672131`, `sip:2131@host`, `tel:+49…`. */
export function deviceNumber(device: string): string {
  return device.replace(/^(sips?|tel):/i, "").replace(/[@;].*$/, "");
}

/** A destination: the callno when it names a user (by DID too), else the number as dialled. */
function numberOf(device: string, ctx: CstaServiceContext): string {
  return ctx.resolve(device) ?? deviceNumber(device);
}

function deviceOf(device: string, ctx: CstaServiceContext): string {
  const callno = ctx.resolve(device);
  if (callno === undefined)
    throw new CstaError("operation", "invalidDeviceID", `${device} is not a desk phone here`);
  return callno;
}

/** The desk phone of a connection that must be its current call. */
function callPhone(conn: ConnectionId, ctx: CstaServiceContext, states: DeskPhoneState[]): DeskPhone {
  const phone = ctx.phones.get(deviceOf(conn.deviceID, ctx));
  const current = phone.snapshot().call;
  if (current?.id !== conn.callID)
    throw new CstaError(
      "operation",
      "invalidConnectionID",
      `${conn.callID} is not a call of ${phone.callno}`,
    );
  if (!states.includes(phone.state))
    throw new CstaError("stateIncompatibility", "invalidObjectState", `${phone.callno} is ${phone.state}`);
  return phone;
}

/** The phone of AlternateCall / TransferCall: `heldCall` is its held call, `activeCall` its active one. */
function twoCallPhone(
  request: { heldCall: ConnectionId; activeCall: ConnectionId },
  ctx: CstaServiceContext,
): DeskPhone {
  const phone = ctx.phones.get(deviceOf(request.activeCall.deviceID, ctx));
  const s = phone.snapshot();
  if (s.held?.call.id !== request.heldCall.callID || s.call?.id !== request.activeCall.callID)
    throw new CstaError(
      "operation",
      "invalidConnectionID",
      `${request.heldCall.callID} / ${request.activeCall.callID} are not the held and active calls of ${phone.callno}`,
    );
  return phone;
}

/** Runs a desk-phone operation; its DeskPhoneError becomes the CSTA error that fits. */
function guarded<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (!(error instanceof DeskPhoneError)) throw error;
    switch (error.kind) {
      case "invalidDevice":
        throw new CstaError("operation", "invalidDeviceID", error.message);
      case "invalidForwardingDestination":
        throw new CstaError("operation", "invalidForwardingDestination", error.message);
      default:
        throw new CstaError("stateIncompatibility", "invalidObjectState", error.message);
    }
  }
}
