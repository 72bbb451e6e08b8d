export type { SipConnection, TransportProtocol } from "./connection.js";
export { ConnectionTable } from "./connection-table.js";
export type { SipFaultHooks, TlsAcceptVerdict, TlsFaultHooks, TlsVariantOptions } from "./fault-hooks.js";
export type { TlsListenOptions } from "./stream-listener.js";
export type { SipTrafficTap, SipTrafficTapHolder } from "./traffic-tap.js";
export { TransportLayer } from "./transport-layer.js";
export type { TransportLimits } from "./transport-limits.js";
export type { TransportEvent, TransportUser } from "./transport-user.js";
export { WsListener, type WsListenerOptions } from "./ws-listener.js";
