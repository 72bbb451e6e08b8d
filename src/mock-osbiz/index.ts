export type { MediaMode, MediaSession, MediaStats } from "../media/index.js";
export { describeDeskPhone } from "./desk-console.js";
export {
  type DeskCall,
  DeskPhone,
  DeskPhoneError,
  type DeskPhoneEvent,
  type DeskPhoneSnapshot,
  type DeskPhoneState,
  type ForwardingType,
} from "./desk-phone.js";
export { type MailboxCounts, MailboxNotifyError, MockMailbox, parseMailboxCounts } from "./mailbox.js";
export type { DtmfVia, MockCallState, TransferResult } from "./mock-call.js";
export { MockCall } from "./mock-call.js";
export { type ConsoleCall, type ConsoleMock, describeCall, MockConsole } from "./mock-console.js";
export {
  type ExpertModeDrift,
  type MockBehaviour,
  type MockNumbering,
  type MockOsbizOptions,
  parseNumbering,
} from "./mock-options.js";
export { MockOsbiz, type MockOsbizEvents } from "./mock-osbiz.js";
export { CallFailedError } from "./outgoing-call.js";
export { callsForUplink, KBPS_PER_CALL, PBX_MODELS, type PbxModel, userLimit } from "./pbx-model.js";
export { type PbxRefusal, PbxRefusedError } from "./pbx-refusal.js";
export { parseDrift, parseUserFields, parseUserSpec } from "./pbx-spec.js";
export { COMPLETED_ELSEWHERE, type ReferOutcome } from "./pbx-switch.js";
export { type LicenceState, type MockPbxUser, type MockPbxUserInput, MockWizardError } from "./pbx-users.js";
export { RegistrationError } from "./registration.js";
export type { RtpChannelUse, RtpLoad } from "./rtp-channels.js";
