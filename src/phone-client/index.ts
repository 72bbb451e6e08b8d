export { ClientCall, ClientCallError, type ClientCallState, type ClientDialogId } from "./client-call.js";
export type { ClientNotification, ClientSubscription } from "./client-notifications.js";
export type { Direction } from "./client-sdp.js";
export type { ClientMediaMode, ClientMediaStats } from "./rtp-endpoint.js";
export {
  ClientRegistrationError,
  UnifyPhoneClient,
  type UnifyPhoneClientOptions,
  type UnifyPhoneClientStats,
} from "./unify-phone-client.js";
