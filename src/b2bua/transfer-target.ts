import { dialogKey } from "../sip/dialog/index.js";
import { parseNameAddr, type SipUri } from "../sip/message/index.js";
import type { DialogEntry } from "./ports.js";

/** The dialog a Replaces value names (RFC 3891 §6.1): Call-ID, to-tag, from-tag. */
export interface ReplacesId {
  readonly callId: string;
  readonly toTag: string;
  readonly fromTag: string;
  readonly earlyOnly: boolean;
}

/** What a REFER's Refer-To asks for: a number to call, or (with Replaces) a dialog to join. */
export type ReferTarget =
  | { readonly ok: true; readonly uri: SipUri; readonly number?: string; readonly replaces?: ReplacesId }
  | { readonly ok: false; readonly reason: string };

/**
 * RFC 3515 §2.4.1: one Refer-To, a SIP URI. Without Replaces its user part is the number to
 * call; with one (attended transfer, RFC 3891 §5) the Replaces value names the dialog.
 */
export function parseReferTo(values: readonly string[]): ReferTarget {
  if (values.length === 0) return { ok: false, reason: "Bad Request: no Refer-To header" };
  if (values.length > 1) return { ok: false, reason: "Bad Request: more than one Refer-To header" };
  let uri: SipUri;
  try {
    uri = parseNameAddr(values[0]!).uri;
  } catch {
    return { ok: false, reason: "Bad Request: Refer-To is not a valid URI" };
  }
  if (uri.scheme !== "sip" && uri.scheme !== "sips") {
    return { ok: false, reason: `Bad Request: Refer-To must be a SIP URI, not ${uri.scheme}:` };
  }
  const raw = headerOf(uri, "replaces");
  if (raw !== undefined) {
    const replaces = parseReplaces(raw);
    if (!replaces) return { ok: false, reason: "Bad Request: the Replaces in Refer-To is malformed" };
    return { ok: true, uri, replaces, ...(uri.user ? { number: pbxNumber(uri.user) } : {}) };
  }
  const number = uri.user ? pbxNumber(uri.user) : "";
  if (!/^\+?[0-9*#]{1,32}$/.test(number)) {
    return { ok: false, reason: "Bad Request: Refer-To has no number to call in its user part" };
  }
  return { ok: true, uri, number };
}

/** `callid;to-tag=…;from-tag=…[;early-only]` (RFC 3891 §6.1); undefined when malformed. */
export function parseReplaces(value: string): ReplacesId | undefined {
  const [callId, ...params] = value.split(";").map((p) => p.trim());
  if (!callId) return undefined;
  let toTag: string | undefined;
  let fromTag: string | undefined;
  let earlyOnly = false;
  for (const param of params) {
    const [name = "", tag] = param.split("=", 2).map((p) => p.trim());
    if (name.toLowerCase() === "to-tag") toTag = tag;
    else if (name.toLowerCase() === "from-tag") fromTag = tag;
    else if (name.toLowerCase() === "early-only") earlyOnly = true;
  }
  if (!toTag || !fromTag) return undefined;
  return { callId, toTag, fromTag, earlyOnly };
}

/**
 * The B2BUA's dialog a Replaces names. The sender names its dialog with us: to-tag is the
 * tag of the receiver (ours), from-tag its own (RFC 3891 §3; sip.js builds it that way). The
 * reversed order is tried too, as some UAs write the tags from their own side.
 */
export function dialogNamedBy(
  dialogs: ReadonlyMap<string, DialogEntry>,
  replaces: ReplacesId,
): DialogEntry | undefined {
  return (
    dialogs.get(dialogKey(replaces.callId, replaces.toTag, replaces.fromTag)) ??
    dialogs.get(dialogKey(replaces.callId, replaces.fromTag, replaces.toTag))
  );
}

/**
 * The Replaces value (escaped for a URI header) naming a PBX-side dialog from the PBX's side,
 * which receives it: to-tag is the PBX's tag, from-tag ours.
 */
export function replacesOf(pbx: DialogEntry): string {
  const { callId, remoteTag, localTag } = pbx.dialog;
  return encodeURIComponent(`${callId};to-tag=${remoteTag};from-tag=${localTag}`);
}

/**
 * A number as the PBX's trunk takes it, the same form as in our INVITEs: visual separators
 * dropped, an international 00 prefix written as +. Internal call numbers pass unchanged.
 */
export function pbxNumber(dialed: string): string {
  const digits = dialed.replace(/[\s().-]/g, "");
  return digits.startsWith("00") ? `+${digits.slice(2)}` : digits;
}

function headerOf(uri: SipUri, name: string): string | undefined {
  for (const [key, value] of Object.entries(uri.headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}
