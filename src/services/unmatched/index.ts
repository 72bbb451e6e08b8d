export { sipReasonPhrase } from "./reason-phrases.js";
export { isSecretName, redactBody, redactHeaders, redactQuery, redactValue } from "./redact.js";
export type {
  StubHttpAnswer,
  StubResponder,
  StubSipAnswer,
  UnmatchedHttpRequest,
  UnmatchedSipRequest,
} from "./stub-port.js";
export {
  type HttpAnswer,
  type SipAnswer,
  type SipCaptureInput,
  type SipFlow,
  UnmatchedCapture,
  type UnmatchedCaptureOptions,
  type UnmatchedNotice,
} from "./unmatched-capture.js";
export type {
  AnsweredBy,
  UnmatchedEntry,
  UnmatchedHttpEntry,
  UnmatchedKind,
  UnmatchedSipEntry,
} from "./unmatched-entry.js";
export { UnmatchedJournal } from "./unmatched-journal.js";
export { type UnmatchedView, unmatchedSummary, unmatchedView } from "./unmatched-view.js";
