export { delayMs } from "./action-fields.js";
export {
  DEFAULT_WRONG_HOST,
  type FaultCertificateKind,
  FaultCertificates,
  type FaultCertificatesOptions,
} from "./fault-certificates.js";
export { FaultEngine } from "./fault-engine.js";
export {
  type CstaFaultContext,
  FAULT_POINTS,
  type FaultChecker,
  type FaultDecision,
  type FaultHitEvent,
  type FaultPoint,
  type FaultPoints,
  type HttpFaultContext,
  type RtpFaultContext,
  type SipFaultContext,
  type StunFaultContext,
  type TlsFaultContext,
} from "./fault-points.js";
export {
  type CorruptionMode,
  CSTA_ERROR_CATEGORIES,
  type CstaFaultAction,
  type CstaFaultMatch,
  type DelayAction,
  FAULT_LAYERS,
  type FaultAction,
  type FaultLayer,
  type FaultRule,
  type FaultRuleInput,
  type FaultWhen,
  type HttpFaultAction,
  type HttpFaultMatch,
  type RtpFaultAction,
  type RtpFaultMatch,
  type SipFaultAction,
  type SipFaultMatch,
  type SipHeaderMatch,
  type StunFaultAction,
  type StunFaultMatch,
  TLS_VERSIONS,
  type TlsFaultAction,
  type TlsFaultMatch,
  type TlsVersion,
} from "./fault-rule.js";
export { type FaultPath, FaultRuleError, type FaultRuleIssue, formatFaultPath } from "./fault-rule-error.js";
export { parseFaultRule, parseFaultRules } from "./parse-fault-rules.js";
export { DEFAULT_WRONG_MAPPED_ADDRESS } from "./parse-stun-fault.js";
export { RtpFaultGate, type RtpStream } from "./rtp-fault-gate.js";
export { applySeedFaults } from "./seed-faults.js";
export { type RandomSource, seededRandom } from "./seeded-random.js";
export {
  SipFaultGate,
  type SipFaultGateOptions,
  type SipSubjectResolver,
  type SipSubjects,
} from "./sip-fault-gate.js";
export { TlsFaultGate } from "./tls-fault-gate.js";
