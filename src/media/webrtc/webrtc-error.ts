/** Why a WebRTC leg could not be set up or was lost. */
export type WebRtcErrorCode =
  /** The browser's SDP is not SDP, has no audio section, or lacks ICE/DTLS attributes. */
  | "bad-sdp"
  /** The browser offered or answered none of the codecs we accept. */
  | "no-common-codec"
  /** The call is not valid in the endpoint's state (acceptAnswer twice, sendRtp after close...). */
  | "bad-state"
  /** Local candidates could not be gathered in time (no free port in the range, say). */
  | "gather-timeout"
  /** ICE + DTLS did not complete within the connect timeout. */
  | "connect-timeout"
  /** ICE or DTLS failed (werift reported the connection failed). */
  | "connection-failed"
  /** The endpoint was closed before it connected. */
  | "closed"
  /** werift threw something we did not expect; the message says what. */
  | "internal";

/** Every failure of a WebRtcEndpoint is one of these. */
export class WebRtcError extends Error {
  override readonly name = "WebRtcError";

  constructor(
    readonly code: WebRtcErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Wraps what werift threw into a WebRtcError (kept as is when it already is one). */
export function asWebRtcError(error: unknown, code: WebRtcErrorCode, context: string): WebRtcError {
  if (error instanceof WebRtcError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new WebRtcError(code, `${context}: ${text}`, { cause: error });
}
