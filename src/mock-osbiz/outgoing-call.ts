import type { MediaSession } from "../media/index.js";
import { newCallId } from "../shared/ids.js";
import { Dialog, newDialogTag } from "../sip/dialog/index.js";
import { Headers, SipRequest, type SipResponse } from "../sip/message/index.js";
import { newBranch } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import { type CallContext, MockCall } from "./mock-call.js";
import { ALLOWED_METHODS, withSdp } from "./responses.js";
import { sendRequest } from "./send-request.js";

/** An INVITE of the mock that got no 2xx. */
export class CallFailedError extends Error {
  override readonly name = "CallFailedError";

  constructor(
    readonly call: MockCall,
    /** Final status (408 for a timeout, 503 for a lost connection). */
    readonly status: number,
    readonly reason: string,
  ) {
    super(`call ${call.id} to ${call.to} failed: ${status} ${reason}`);
  }
}

export interface OutgoingCallParams {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly connection: SipConnection;
  readonly media: MediaSession;
  /** Extra INVITE headers, e.g. Referred-By for a call the PBX moves to the Unify Phone side. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A call from a PBX user to a Unify Phone number (RFC 3261 §13.2): INVITE with our SDP offer
 * over the trunk connection, Request-URI `sip:<to>@<domain>`. `answered` resolves on the 2xx
 * (ACKed here) and rejects with CallFailedError otherwise; hangup() before that sends CANCEL.
 */
export function startOutgoingCall(
  ctx: CallContext,
  params: OutgoingCallParams,
): { call: MockCall; answered: Promise<MockCall> } {
  const { connection, media } = params;
  const invite = buildInvite(ctx, params);
  const call = new MockCall(ctx, params.id, "outgoing", params.from, params.to, invite.callId);
  call.attachMedia(media);
  let cancelled = false;
  let cancelReason: string | undefined;
  let dialog: Dialog | undefined;
  call.beforeAnswer((reason) => {
    if (cancelled) return;
    cancelled = true;
    cancelReason = reason;
    ctx.log(`call ${call.id}: CANCEL${reason ? ` (${reason})` : ""}`);
    void sendRequest(ctx.transactions, buildCancel(invite, reason), connection).catch(() => undefined);
  });

  const answered = new Promise<MockCall>((resolve, reject) => {
    const fail = (status: number, reason: string, cause: string, by: "local" | "remote" | "network") => {
      call.end(cause, by, status, reason);
      reject(new CallFailedError(call, status, reason));
    };
    const onResponse = (response: SipResponse) => {
      const { status, reason } = response;
      if (status < 200) {
        if (status >= 180 && call.state === "calling") {
          call.markRinging();
          ctx.log(`call ${call.id} to ${call.to}: ${status} ${reason}`);
        }
        return;
      }
      if (status >= 300) {
        if (cancelled && status === 487)
          fail(
            status,
            reason,
            `cancelled by the mock PBX${cancelReason ? ` (${cancelReason})` : ""}`,
            "local",
          );
        else fail(status, reason, `${status} ${reason}`, "remote");
        return;
      }
      // RFC 6026 §8.4: every 2xx (a retransmission too) is ACKed by us, not by the transaction.
      if (!dialog) {
        dialog = Dialog.asUac(invite, response, connection, ctx.endpoint);
        call.attachDialog(dialog);
      }
      dialog.sendStateless(dialog.createAck(invite.cseq.seq));
      if (call.state === "answered" || !call.active) return;
      const result = media.applyAnswer(response.body.toString("utf8"));
      call.markAnswered(status, reason);
      const negotiated = result.ok ? `${result.codec.name} ${result.direction}` : result.reason;
      ctx.log(`call ${call.id} to ${call.to} answered: ${status} ${reason} (${negotiated})`);
      resolve(call);
      // RFC 3261 §9.1: our CANCEL crossed the 2xx; the call exists, so it ends with BYE.
      if (cancelled) void call.hangup();
    };
    ctx.transactions.sendRequest(invite, connection, {
      onResponse,
      onTimeout: () => fail(408, "Request Timeout", "no final response to the INVITE", "network"),
      onTransportError: () =>
        fail(503, "Service Unavailable", "the connection to the connector failed while calling", "network"),
    });
  });
  ctx.log(`call ${call.id}: INVITE ${call.to} from ${call.from}`);
  return { call, answered };
}

function buildInvite(ctx: CallContext, params: OutgoingCallParams): SipRequest {
  const { domain } = ctx;
  const headers = new Headers();
  headers.append("via", `${ctx.endpoint.via(params.connection)};branch=${newBranch()}`);
  headers.append("max-forwards", "70");
  headers.append("from", `<sip:${params.from}@${domain}>;tag=${newDialogTag()}`);
  headers.append("to", `<sip:${params.to}@${domain}>`);
  headers.append("call-id", newCallId());
  headers.append("cseq", "1 INVITE");
  headers.append("contact", `<${ctx.endpoint.contact(params.connection)}>`);
  headers.append("allow", ALLOWED_METHODS);
  headers.append("user-agent", "unify-phone-emulator mock-osbiz");
  for (const [name, value] of Object.entries(params.headers ?? {})) headers.append(name, value);
  return withSdp(new SipRequest("INVITE", `sip:${params.to}@${domain}`, headers), params.media.offer());
}

/**
 * RFC 3261 §9.1: the CANCEL copies Request-URI, Call-ID, From, To, CSeq number and top Via;
 * `reason` goes in a Reason header (RFC 3326), e.g. "call completed elsewhere".
 */
function buildCancel(invite: SipRequest, reason?: string): SipRequest {
  const headers = new Headers();
  headers.append("via", invite.headers.get("via")!);
  headers.append("max-forwards", "70");
  for (const name of ["from", "to", "call-id"]) headers.append(name, invite.headers.get(name)!);
  headers.append("cseq", `${invite.cseq.seq} CANCEL`);
  if (reason !== undefined) headers.append("reason", reason);
  return new SipRequest("CANCEL", invite.uri, headers);
}
