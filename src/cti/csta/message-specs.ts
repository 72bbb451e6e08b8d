/**
 * The ECMA-323 (edition 3) messages this emulator speaks, as one table: each message's root
 * element and its child elements in schema order. The TypeScript shapes are derived from the
 * table, so the codec (parse-csta.ts / build-csta.ts) and the types cannot drift apart.
 * Field names are the ECMA-323 element names.
 */

export const CSTA_NAMESPACE = "http://www.ecma-international.org/standards/ecma-323/csta/ed3";

/** A connection: the call and the device on it (ECMA-323 ConnectionID). */
export interface ConnectionId {
  readonly callID: string;
  readonly deviceID: string;
}

/** ECMA-323 LocalConnectionState values. */
export const CONNECTION_STATES = [
  "null",
  "initiated",
  "alerting",
  "connected",
  "hold",
  "queued",
  "fail",
] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export const FORWARDING_TYPES = [
  "forwardImmediate",
  "forwardBusy",
  "forwardNoAns",
  "forwardBusyInt",
  "forwardBusyExt",
  "forwardDND",
] as const;
export type ForwardingType = (typeof FORWARDING_TYPES)[number];

/** One call the snapshot reports on the device (snapshotDeviceResponseInfo). */
export interface SnapshotCall {
  readonly connectionIdentifier: ConnectionId;
  readonly localConnectionState: ConnectionState;
}

/** One forwarding entry of GetForwardingResponse (forwardListItem). */
export interface ForwardingEntry {
  readonly forwardingType: ForwardingType;
  readonly forwardStatus: boolean;
  readonly forwardDN?: string;
}

/**
 * Field kinds. `text`: element text (a dial string or an identifier); `device`: a device wrapped in
 * `<deviceIdentifier>` (event subject devices) or in `<deviceObject>` (monitor objects); `conn`:
 * a ConnectionID; `bool`; `state`/`fwdType`: enumerations; `snapshot`/`forwardingList`: lists.
 */
type Kind =
  | "text"
  | "deviceIdentifier"
  | "deviceObject"
  | "conn"
  | "bool"
  | "state"
  | "fwdType"
  | "snapshot"
  | "forwardingList";

interface FieldSpec {
  readonly kind: Kind;
  readonly optional?: true;
}

const req = <K extends Kind>(kind: K) => ({ kind }) as const;
const opt = <K extends Kind>(kind: K) => ({ kind, optional: true }) as const;

const event = <F extends Record<string, FieldSpec>>(fields: F) =>
  ({ monitorCrossRefID: req("text"), ...fields, cause: opt("text") }) as const;

export const MESSAGE_SPECS = {
  MonitorStart: { monitorObject: req("deviceObject") },
  MonitorStartResponse: { monitorCrossRefID: req("text") },
  MonitorStop: { monitorCrossRefID: req("text") },
  MonitorStopResponse: {},
  SnapshotDevice: { snapshotObject: req("text") },
  SnapshotDeviceResponse: { crossRefIDorSnapshotData: req("snapshot") },
  MakeCall: { callingDevice: req("text"), calledDirectoryNumber: req("text") },
  MakeCallResponse: { callingDevice: req("conn") },
  AnswerCall: { callToBeAnswered: req("conn") },
  AnswerCallResponse: {},
  ClearConnection: { connectionToBeCleared: req("conn") },
  ClearConnectionResponse: {},
  HoldCall: { callToBeHeld: req("conn") },
  HoldCallResponse: {},
  RetrieveCall: { callToBeRetrieved: req("conn") },
  RetrieveCallResponse: {},
  ConsultationCall: { existingCall: req("conn"), consultedDevice: req("text") },
  ConsultationCallResponse: { initiatedCall: req("conn") },
  AlternateCall: { heldCall: req("conn"), activeCall: req("conn") },
  AlternateCallResponse: {},
  TransferCall: { heldCall: req("conn"), activeCall: req("conn") },
  TransferCallResponse: { transferredCall: opt("conn") },
  SingleStepTransferCall: { activeCall: req("conn"), transferredTo: req("text") },
  SingleStepTransferCallResponse: { transferredCall: opt("conn") },
  DeflectCall: { callToBeDiverted: req("conn"), newDestination: req("text") },
  DeflectCallResponse: {},
  SetDoNotDisturb: { device: req("text"), doNotDisturbOn: req("bool") },
  SetDoNotDisturbResponse: {},
  GetDoNotDisturb: { device: req("text") },
  GetDoNotDisturbResponse: { doNotDisturbOn: req("bool") },
  SetForwarding: {
    device: req("text"),
    forwardingType: req("fwdType"),
    activateForward: req("bool"),
    forwardDN: opt("text"),
    // ECMA-323 ringCount (1..100): rings before a no-answer forward; vendors send it (BroadWorks does).
    ringCount: opt("text"),
  },
  SetForwardingResponse: {},
  GetForwarding: { device: req("text") },
  GetForwardingResponse: { forwardingList: req("forwardingList") },
  ServiceInitiatedEvent: event({
    initiatedConnection: req("conn"),
    initiatingDevice: req("deviceIdentifier"),
    localConnectionInfo: opt("state"),
  }),
  OriginatedEvent: event({
    originatedConnection: req("conn"),
    callingDevice: req("deviceIdentifier"),
    calledDevice: req("deviceIdentifier"),
    localConnectionInfo: opt("state"),
  }),
  DeliveredEvent: event({
    connection: req("conn"),
    alertingDevice: req("deviceIdentifier"),
    callingDevice: req("deviceIdentifier"),
    calledDevice: req("deviceIdentifier"),
    lastRedirectionDevice: opt("deviceIdentifier"),
    localConnectionInfo: opt("state"),
  }),
  EstablishedEvent: event({
    establishedConnection: req("conn"),
    answeringDevice: req("deviceIdentifier"),
    callingDevice: req("deviceIdentifier"),
    calledDevice: req("deviceIdentifier"),
    lastRedirectionDevice: opt("deviceIdentifier"),
    localConnectionInfo: opt("state"),
  }),
  HeldEvent: event({
    heldConnection: req("conn"),
    holdingDevice: req("deviceIdentifier"),
    localConnectionInfo: opt("state"),
  }),
  RetrievedEvent: event({
    retrievedConnection: req("conn"),
    retrievingDevice: req("deviceIdentifier"),
    localConnectionInfo: opt("state"),
  }),
  ConnectionClearedEvent: event({
    droppedConnection: req("conn"),
    releasingDevice: req("deviceIdentifier"),
    localConnectionInfo: opt("state"),
  }),
  // ECMA-323 spells it with one "r" (TransferedEvent, transferringDevice, transferredToDevice).
  TransferedEvent: event({
    primaryOldCall: req("conn"),
    secondaryOldCall: opt("conn"),
    transferringDevice: req("deviceIdentifier"),
    transferredToDevice: req("deviceIdentifier"),
    localConnectionInfo: opt("state"),
  }),
  DivertedEvent: event({
    connection: req("conn"),
    divertingDevice: req("deviceIdentifier"),
    newDestination: req("deviceIdentifier"),
    localConnectionInfo: opt("state"),
  }),
  DoNotDisturbEvent: {
    monitorCrossRefID: req("text"),
    device: req("deviceIdentifier"),
    doNotDisturbOn: req("bool"),
  },
  ForwardingEvent: {
    monitorCrossRefID: req("text"),
    device: req("deviceIdentifier"),
    forwardingType: req("fwdType"),
    forwardStatus: req("bool"),
    forwardTo: opt("text"),
  },
} as const satisfies Record<string, Record<string, FieldSpec>>;

export type CstaMessageName = keyof typeof MESSAGE_SPECS | "CSTAErrorCode";

type KindValue<K extends Kind> = K extends "conn"
  ? ConnectionId
  : K extends "bool"
    ? boolean
    : K extends "state"
      ? ConnectionState
      : K extends "fwdType"
        ? ForwardingType
        : K extends "snapshot"
          ? readonly SnapshotCall[]
          : K extends "forwardingList"
            ? readonly ForwardingEntry[]
            : string;

type Fields<S> = {
  readonly [F in keyof S as S[F] extends { optional: true } ? never : F]: S[F] extends {
    kind: infer K extends Kind;
  }
    ? KindValue<K>
    : never;
} & {
  readonly [F in keyof S as S[F] extends { optional: true } ? F : never]?: S[F] extends {
    kind: infer K extends Kind;
  }
    ? KindValue<K>
    : never;
};

/**
 * `invokeId` correlates a request with its response. ECMA-323 carries it outside the XML (the
 * CSTA-over-TCP header); here it is the root element's `invokeID` attribute (see docs/cti.md).
 */
type Envelope = { readonly invokeId?: string };

export type CstaErrorMessage = Envelope & {
  readonly type: "CSTAErrorCode";
  readonly category: import("./csta-error.js").CstaErrorCategory;
  readonly value: string;
};

export type CstaMessage =
  | {
      [N in keyof typeof MESSAGE_SPECS]: Envelope & { readonly type: N } & Fields<(typeof MESSAGE_SPECS)[N]>;
    }[keyof typeof MESSAGE_SPECS]
  | CstaErrorMessage;

export type CstaMessageOf<N extends CstaMessageName> = Extract<CstaMessage, { type: N }>;

export const isEventName = (name: string): boolean => name.endsWith("Event");
export const isResponseName = (name: string): boolean =>
  name.endsWith("Response") || name === "CSTAErrorCode";
