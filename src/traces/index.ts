export { buildPcap, PCAP_LINKTYPE_RAW, PCAP_SIP_PORT } from "./pcap-writer.js";
export { summarizeSip } from "./sip-summary.js";
export { formatLadder } from "./text-ladder.js";
export { TlsKeyLog } from "./tls-key-log.js";
export {
  type CallContext,
  type CallNotice,
  type CallTraceEntry,
  type ConnectionTraceEntry,
  type CstaMessageRecord,
  type CstaTraceEntry,
  type FaultHit,
  type FaultTraceEntry,
  type HttpCall,
  type HttpTraceEntry,
  type SipSummary,
  type SipTraceEntry,
  TRACE_KINDS,
  type TraceEndpoint,
  type TraceEntry,
  type TraceKind,
  type TraceOwner,
  type UnmatchedRequest,
  type UnmatchedTraceEntry,
} from "./trace-entry.js";
export { filterTrace, type TraceFilter } from "./trace-filter.js";
export { TraceRecorder, type TraceRecorderOptions, type TraceStats } from "./trace-recorder.js";
