export type { CodecChoice, CodecName } from "./codecs.js";
export { MediaEngine, type MediaEngineOptions } from "./media-engine.js";
export type { MediaTags, RtpFaultHooks } from "./media-session.js";
export { type AnswerResult, type ApplyAnswerResult, MediaSession } from "./media-session.js";
export type { Direction, MediaMode, MediaStats } from "./media-types.js";
export { isMixable, type MixableCodec, transcodeFrame } from "./mixer.js";
export { ConferenceMixer, type MixerParty } from "./mixer-conference.js";
export type { RtpPacket } from "./rtp-packet.js";
export {
  parseSdp,
  type RtpMap,
  rtpMaps,
  type SdpAttribute,
  type SdpConnection,
  type SdpMedia,
  type SdpOrigin,
  SdpParseError,
  type SessionDescription,
} from "./session-description.js";
export {
  WebRtcEndpoint,
  type WebRtcEndpointOptions,
  WebRtcError,
  type WebRtcErrorCode,
  type WebRtcRtpPacket,
  type WebRtcRtpSend,
  type WebRtcState,
  type WebRtcStats,
} from "./webrtc/index.js";
