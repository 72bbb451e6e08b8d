import type { MediaSession } from "../media/index.js";
import type { SipRequest } from "../sip/message/index.js";
import type { Call } from "./call.js";
import type { CallRecords, MediaPort } from "./ports.js";

export type VirtualMedia =
  | { ok: true; media: MediaSession; sdp: string; offeredInAnswer: boolean }
  | { ok: false; status: number; reason: string; cause: string };

/**
 * The virtual user's media for a PBX INVITE: a session on a port of the range that answers
 * the offer, or offers in the 2xx when the INVITE had none (late offer, RFC 3261 §13.2.1;
 * the ACK then carries the answer). The session becomes the call's media.
 */
export async function virtualMedia(
  ctx: MediaPort & Pick<CallRecords, "now" | "note">,
  call: Call,
  request: SipRequest,
): Promise<VirtualMedia> {
  let media: MediaSession;
  try {
    media = await ctx.media.createSession({ mode: call.mediaMode });
  } catch (err) {
    const cause = `no media port: ${(err as Error).message}`;
    return { ok: false, status: 503, reason: "Service Unavailable: no media port free", cause };
  }
  call.media = media;
  media.onDtmf((digit) => {
    call.dtmf.push({ digit, via: "rfc4733", at: ctx.now() });
    ctx.note(call, "dtmf", `${digit} (RFC 4733)`);
  });
  if (request.body.length === 0) return { ok: true, media, sdp: media.offer(), offeredInAnswer: true };
  const result = media.answer(request.body.toString("utf8"));
  if (!result.ok) return { ok: false, status: result.status, reason: result.reason, cause: result.reason };
  ctx.note(call, "media", `${result.codec.name} ${result.direction}`);
  return { ok: true, media, sdp: result.sdp, offeredInAnswer: false };
}
