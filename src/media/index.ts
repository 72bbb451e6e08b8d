export type { CodecChoice } from "./codecs.js";
export { MediaEngine, type MediaEngineOptions } from "./media-engine.js";
export type { MediaTags, RtpFaultHooks } from "./media-session.js";
export { type AnswerResult, type ApplyAnswerResult, MediaSession } from "./media-session.js";
export type { Direction, MediaMode, MediaStats } from "./media-types.js";
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
