export { type BindingOutcome, respondToBinding, SOFTWARE } from "./binding-responder.js";
export type { TransportAddress } from "./ip-address.js";
export { MAX_TRACKED_SOURCES, type RateDecision, SourceRateLimit } from "./source-rate-limit.js";
export {
  AttributeType,
  decodeErrorCode,
  decodeMappedAddress,
  decodeUnknownAttributes,
  decodeXorMappedAddress,
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
export { StunServer, type StunServerOptions, type StunStats } from "./stun-server.js";
