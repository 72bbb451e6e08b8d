export {
  type BindingAnswer,
  type BindingCapabilities,
  type BindingRead,
  bindingSuccess,
  readBindingRequest,
  SOFTWARE,
} from "./binding-responder.js";
export {
  DEFAULT_FIRST_NAT_PORT,
  EmulatedNat,
  type EmulatedNatOptions,
  MAX_NAT_MAPPINGS,
  NAT_BEHAVIOURS,
  type NatBehaviour,
  type NatMapping,
} from "./emulated-nat.js";
export type { TransportAddress } from "./ip-address.js";
export { MAX_TRACKED_SOURCES, type RateDecision, SourceRateLimit } from "./source-rate-limit.js";
export {
  AttributeType,
  type ChangeRequest,
  decodeChangeRequest,
  decodeErrorCode,
  decodeMappedAddress,
  decodeUnknownAttributes,
  decodeXorMappedAddress,
  encodeChangeRequest,
  encodeErrorCode,
  encodeMappedAddress,
  encodeUnknownAttributes,
  encodeXorMappedAddress,
  isUnknownComprehensionRequired,
} from "./stun-attributes.js";
export {
  BINDING_METHOD,
  computeFingerprint,
  encodeStunMessage,
  MAGIC_COOKIE,
  parseStunMessage,
  type StunAttribute,
  type StunClass,
  type StunMessage,
  type StunParseResult,
} from "./stun-message.js";
export {
  type StunEndpoints,
  type StunFault,
  type StunFaultContext,
  type StunListenOptions,
  StunServer,
  type StunServerOptions,
  type StunStats,
} from "./stun-server.js";
export { type FramerResult, MAX_STREAM_MESSAGE, StunStreamFramer } from "./stun-stream-framer.js";
export { DEFAULT_TCP_LIMITS, type StunTcpLimits } from "./stun-tcp-listener.js";
