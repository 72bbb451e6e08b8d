import { transcodeFrame } from "../media/index.js";
import type { Dialog } from "../sip/dialog/index.js";
import type { SipRequest } from "../sip/message/index.js";
import type { Call } from "./call.js";
import type { ClientMedia } from "./client-media.js";
import { rejectingAnswer } from "./passed-sdp.js";
import type { CallEnding, DialogEntry, Signalling } from "./ports.js";

/** A re-INVITE we sent: its 2xx body and how to ACK it, or why it failed. */
export type Reinvited =
  | { readonly ok: true; readonly sdp: string | undefined; ack(sdp?: string): void }
  | { readonly ok: false; readonly status: number; readonly reason: string };

/**
 * A re-INVITE on one of our dialogs (RFC 3261 §14.1), with an offer or without (the 2xx then
 * carries the peer's offer and our ACK must answer it, §13.2.2.4). The caller ACKs once it
 * has what the ACK needs; every 2xx retransmission after that gets the same ACK (RFC 6026).
 */
export function reinvite(ctx: Pick<Signalling, "send">, dialog: Dialog, offer?: string): Promise<Reinvited> {
  const request = dialog.createRequest(
    "INVITE",
    offer === undefined ? {} : { body: offer, contentType: "application/sdp" },
  );
  return new Promise((resolve) => {
    let settled = false;
    let ack: SipRequest | undefined;
    const settle = (result: Reinvited) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    ctx.send(request, dialog.connection, {
      onResponse: (response) => {
        if (response.status < 200) return;
        if (response.status >= 300) {
          settle({ ok: false, status: response.status, reason: response.reason });
          return;
        }
        if (ack) {
          dialog.sendStateless(ack);
          return;
        }
        settle({
          ok: true,
          sdp: response.body.length > 0 ? response.body.toString("utf8") : undefined,
          ack: (sdp) => {
            if (ack) return;
            ack = dialog.createAck(request.cseq.seq);
            if (sdp) {
              ack.headers.set("content-type", "application/sdp");
              ack.body = Buffer.from(sdp);
            }
            dialog.sendStateless(ack);
          },
        });
      },
      onTimeout: () => settle({ ok: false, status: 408, reason: "Request Timeout" }),
      onTransportError: () =>
        settle({ ok: false, status: 503, reason: "Service Unavailable: connection lost" }),
    });
  });
}

/**
 * Points the media of PBX leg `a` at the endpoint whose SDP offer `offer` is (third-party
 * call control, RFC 3725 §4.1 flow I): re-INVITE `a` with it and return `a`'s answer.
 */
async function redirectMedia(
  ctx: Pick<Signalling, "send">,
  a: DialogEntry,
  offer: string,
): Promise<{ ok: true; answer: string } | { ok: false; status: number; reason: string }> {
  const result = await reinvite(ctx, a.dialog, offer);
  if (!result.ok) return result;
  result.ack();
  if (!result.sdp) return { ok: false, status: 488, reason: "Not Acceptable Here: no SDP answer" };
  return { ok: true, answer: result.sdp };
}

/**
 * Joins two PBX legs the connector holds so they talk to each other (RFC 3725 §4.1 flow I):
 * an offerless re-INVITE to `a` brings its offer, a re-INVITE to `b` with it brings the answer
 * that ACKs `a`. The media then flows between the two PBX endpoints.
 */
export async function joinLegs(
  ctx: Pick<Signalling, "send">,
  a: DialogEntry,
  b: DialogEntry,
): Promise<{ ok: true } | { ok: false; status: number; reason: string }> {
  const first = await reinvite(ctx, a.dialog);
  if (!first.ok) return first;
  if (!first.sdp) {
    first.ack();
    return { ok: false, status: 488, reason: "Not Acceptable Here: the PBX made no SDP offer" };
  }
  const second = await redirectMedia(ctx, b, first.sdp);
  // A failed second leg still owes the first its ACK, answering its offer (refusing it).
  first.ack(second.ok ? second.answer : rejectingAnswer(first.sdp));
  return second.ok ? { ok: true } : second;
}

/**
 * Two calls whose PBX legs now talk to each other: when either call ends the other does too
 * (BYE to its leg). Joined by 3pcc (`relay`), each leg's in-dialog requests go to the other;
 * bridged in the connector's media, each leg renegotiates with its own anchored port.
 */
export function linkBridged(
  ctx: Pick<CallEnding, "whenEnded" | "sendByes" | "finish">,
  a: DialogEntry,
  b: DialogEntry,
  relay: boolean,
): void {
  if (relay) {
    a.peer = b;
    b.peer = a;
  } else {
    delete a.peer;
    delete b.peer;
  }
  const follow = (ended: Call, other: Call) =>
    ctx.whenEnded(ended, () => {
      if (!other.active) return;
      ctx.sendByes(other);
      ctx.finish(other, { cause: `the bridged call ${ended.id} ended`, by: ended.endedBy ?? "emulator" });
    });
  if (a.call === b.call) return;
  follow(a.call, b.call);
  follow(b.call, a.call);
}

/** BYE on one dialog (a client leg leaving the call), forgotten by the B2BUA at once. */
export function dropLeg(
  ctx: Pick<Signalling, "send"> & { readonly dialogs: Map<string, DialogEntry> },
  entry: DialogEntry,
): void {
  ctx.dialogs.delete(entry.dialog.key);
  if (entry.dialog.state === "terminated") return;
  entry.dialog.state = "terminated";
  if (!entry.dialog.connection.open) return;
  ctx.send(entry.dialog.createRequest("BYE"), entry.dialog.connection, { onResponse: () => {} });
}

/**
 * Joins the anchored PBX legs of two calls in the connector: each one's received audio is sent
 * on the other (μ-law ↔ A-law re-encoded), their client relays stop. The PBX sees no
 * renegotiation. Undefined when the codecs cannot be bridged (G.722 on one side only).
 */
export function relayBetween(a: ClientMedia, b: ClientMedia): (() => void) | undefined {
  const from = a.pbx.codec?.name;
  const to = b.pbx.codec?.name;
  if (!from || !to || !transcodeFrame(Buffer.alloc(0), from, to)) return undefined;
  a.relaying = false;
  b.relaying = false;
  const pass = (source: ClientMedia, target: ClientMedia, sourceCodec: string, targetCodec: string) =>
    source.onAudio((audio) => {
      // Audio only: telephone-event payloads are 4 octets.
      if (audio.side !== "pbx" || audio.payload.length < 80) return;
      const frame = transcodeFrame(audio.payload, sourceCodec, targetCodec);
      if (frame) target.sendAudio("pbx", frame);
    });
  const offA = pass(a, b, from, to);
  const offB = pass(b, a, to, from);
  return () => {
    offA();
    offB();
  };
}

/**
 * A PBX leg the client had on hold is taken off hold before it is bridged (the far end would
 * not send otherwise): re-INVITE with a sendrecv offer from its anchored port (RFC 3264 §8.4).
 */
export async function resumeHeld(ctx: Pick<Signalling, "send">, entry: DialogEntry): Promise<void> {
  const anchored = entry.call.anchoredMedia;
  if (!anchored || anchored.pbx.direction === "sendrecv") return;
  const result = await reinvite(ctx, entry.dialog, anchored.pbx.offer("sendrecv"));
  if (!result.ok) return;
  result.ack();
  if (result.sdp) anchored.pbx.applyAnswer(result.sdp);
  entry.call.onHold = false;
}
