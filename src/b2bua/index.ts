export { B2bua, type B2buaDependencies } from "./b2bua.js";
export { Call, type CallDirection, type CallEvent, type CallState } from "./call.js";
export {
  BEHAVIOUR_MODES,
  behaviourOf,
  CLIENT_ROUTINGS,
  type ClientRouting,
  type VirtualBehaviour,
} from "./call-behaviour.js";
export type { CtiCallNote } from "./call-cti.js";
export type { CallFilter } from "./call-journal.js";
// The anchored media of a client call, for the capacity bench (bench/anchored-calls-core.ts).
export { ClientMedia } from "./client-media.js";
export { WebRtcLeg } from "./client-media-webrtc.js";
export { RegisteredFlows } from "./flows.js";
export {
  buildMessageSummary,
  MESSAGE_SUMMARY_TYPE,
  type MessageCounts,
  type MessageSummary,
  MessageSummaryError,
  mailboxOf,
  parseMessageSummary,
} from "./mwi-body.js";
export type { MailboxPort, MwiNotifier } from "./mwi-notifier.js";
export { ConnectorEndpoint } from "./pbx-endpoint.js";
export type { CallRefusal } from "./pbx-outbound.js";
export type { CallDirectory, CallEventNotice } from "./ports.js";
export type { PushOutcome } from "./push.js";
