import { parseNameAddr, type SipRequest } from "../sip/message/index.js";

/** The dialog an RFC 3891 Replaces header names: its Call-ID and the two tags. */
export interface ReplacesTarget {
  readonly callId: string;
  readonly toTag: string;
  readonly fromTag: string;
}

/** What a REFER asks for: call `number`, or (with Replaces) join the dialog it names. */
export interface ReferTarget {
  readonly number: string;
  readonly replaces?: ReplacesTarget;
}

/** Why a REFER is refused before it is accepted: status and reason phrase. */
export interface ReferRefusal {
  readonly status: number;
  readonly reason: string;
}

const NUMBER = /^\+?[0-9*#]{1,32}$/;

/**
 * The target of a REFER (RFC 3515 §2.4.1: exactly one Refer-To). The URI's user part is the
 * number (sip:/sips: URI, or tel:); a `Replaces` URI header (RFC 3891 §3, escaped in the URI)
 * names a dialog to join.
 */
export function parseRefer(request: SipRequest): ReferTarget | ReferRefusal {
  const values = request.headers.getAll("refer-to");
  if (values.length !== 1)
    return { status: 400, reason: `Bad Request: a REFER needs exactly one Refer-To (got ${values.length})` };
  let uri: ReturnType<typeof parseNameAddr>["uri"];
  try {
    uri = parseNameAddr(values[0]!).uri;
  } catch {
    return { status: 400, reason: "Bad Request: Refer-To is not an address" };
  }
  const scheme = uri.scheme.toLowerCase();
  if (scheme !== "sip" && scheme !== "sips" && scheme !== "tel")
    return { status: 416, reason: `Unsupported URI Scheme: ${scheme} in Refer-To` };
  const number = scheme === "tel" ? uri.host.replace(/;.*$/, "") : (uri.user ?? "");
  const header = Object.entries(uri.headers).find(([name]) => name.toLowerCase() === "replaces")?.[1];
  if (header === undefined) {
    if (!NUMBER.test(number))
      return { status: 400, reason: "Bad Request: Refer-To names no number this PBX can dial" };
    return { number };
  }
  // With Replaces the dialog names the party; the user part (maybe "anonymous") is not dialled.
  const replaces = parseReplaces(header);
  if (!replaces) return { status: 400, reason: "Bad Request: Replaces needs a Call-ID, to-tag and from-tag" };
  return { number, replaces };
}

/** `callid;to-tag=…;from-tag=…` (RFC 3891 §6.1). */
function parseReplaces(value: string): ReplacesTarget | undefined {
  const [callId, ...params] = value.split(";").map((part) => part.trim());
  const param = (name: string) =>
    params.find((p) => p.toLowerCase().startsWith(`${name}=`))?.slice(name.length + 1);
  const toTag = param("to-tag");
  const fromTag = param("from-tag");
  if (!callId || !toTag || !fromTag) return undefined;
  return { callId, toTag, fromTag };
}

/** RFC 3891 §3: the tags as the recipient sees them — taken in either order, to be lenient. */
export function replacesMatches(
  target: ReplacesTarget,
  dialog: { callId: string; localTag: string; remoteTag: string },
): boolean {
  if (target.callId !== dialog.callId) return false;
  const tags = [target.toTag, target.fromTag].sort().join(" ");
  return tags === [dialog.localTag, dialog.remoteTag].sort().join(" ");
}
