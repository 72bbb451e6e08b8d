export { checkRequest, type Rejection } from "./request-checks.js";
export {
  type RequestHandler,
  type RouteOptions,
  SipRouter,
  type UnhandledRequestListener,
} from "./sip-router.js";
export { type ConnectionClosedEvent, SipStack } from "./sip-stack.js";
