export type { MediaMode, MediaSession, MediaStats } from "../media/index.js";
export type { DtmfVia, MockCallState, TransferResult } from "./mock-call.js";
export { MockCall } from "./mock-call.js";
export { type ConsoleCall, type ConsoleMock, describeCall, MockConsole } from "./mock-console.js";
export {
  type MockBehaviour,
  type MockNumbering,
  type MockOsbizOptions,
  parseNumbering,
} from "./mock-options.js";
export { MockOsbiz, type MockOsbizEvents } from "./mock-osbiz.js";
export { CallFailedError } from "./outgoing-call.js";
export { RegistrationError } from "./registration.js";
