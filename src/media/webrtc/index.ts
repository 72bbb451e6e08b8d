export type { WebRtcStats } from "./webrtc-counters.js";
export {
  WebRtcEndpoint,
  type WebRtcEndpointOptions,
  type WebRtcRtpPacket,
  type WebRtcRtpSend,
  type WebRtcState,
} from "./webrtc-endpoint.js";
export { WebRtcError, type WebRtcErrorCode } from "./webrtc-error.js";
