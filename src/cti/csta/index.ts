export { buildCsta } from "./build-csta.js";
export { CSTA_ERROR_CATEGORIES, CstaError, type CstaErrorCategory } from "./csta-error.js";
export {
  CONNECTION_STATES,
  type ConnectionId,
  type ConnectionState,
  CSTA_NAMESPACE,
  type CstaMessage,
  type CstaMessageName,
  type CstaMessageOf,
  FORWARDING_TYPES,
  type ForwardingEntry,
  type ForwardingType,
  isEventName,
  isResponseName,
  MESSAGE_SPECS,
  type SnapshotCall,
} from "./message-specs.js";
export { MAX_CSTA_BYTES, parseCsta } from "./parse-csta.js";
