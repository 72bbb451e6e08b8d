// CTI toward the PBX: the ECMA-323 CSTA codec (csta/) and the uaCSTA (ECMA TR/87) session.
export * from "./csta/index.js";
export { CSTA_RESPONSE_TIMEOUT_MS, CstaRequestFailed, CstaSession } from "./csta-session.js";
export { CSTA_CONTENT_TYPE, type CstaExchange, type CtiSignalling } from "./cti-ports.js";
export {
  type CtiDirectory,
  CtiService,
  type DeskPhoneAction,
  type DeskPhoneNotice,
  type DeskUser,
} from "./cti-service.js";
export type { DeskPhoneStatus, DeskPhoneView } from "./desk-phone-state.js";
