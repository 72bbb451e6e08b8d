import { EvictionCursor } from "../shared/eviction-cursor.js";
import { newTag } from "../shared/ids.js";
import {
  type DigestCredentials,
  readDigestCredentials,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  serialize,
} from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import type { MessageShortcut, ShortcutAnswer, SipConnection } from "../sip/transport/index.js";
import { ByteTemplate, type Hole, type HoleKind } from "./byte-template.js";
import type { Registrar } from "./registrar.js";
import type { RegistrarAccount } from "./registration-core.js";

/** What the shortcut needs of the layers it stands in for. */
export interface RefreshShortcutPorts {
  /** True while a fault rule may act on SIP in or out: then every message takes the layers. */
  readonly faultsActive: () => boolean;
  /** The transaction layer (see TransactionLayer.isNewRequest and countAnswered). */
  readonly transactions: {
    isNewRequest(
      method: string,
      branch: string,
      topVia: SipRequest["topVia"],
      merge: string | undefined,
    ): boolean;
    countAnswered(): void;
  };
}

/** Templates kept at most (one per registration learned); the oldest go first. */
const MAX_TEMPLATES = 16_384;
/** CSeq numbers are below 2^31 (RFC 3261 §8.1.1.5); a larger one takes the layers (400). */
const MAX_CSEQ = 2 ** 31 - 1;

const REGISTER = Buffer.from("REGISTER ");
const CALL_ID_LINE = Buffer.from("\r\nCall-ID: ");
const CRLF = Buffer.from("\r\n");

type RequestField = "branch" | "cseq" | "nc" | "cnonce" | "response";
type ResponseField = "branch" | "tag" | "cseq" | "expires" | "date";
type FieldHole<F> = Hole & { readonly field: F };

/** One registration's REGISTER and 200 as bytes, with the fields a refresh changes as holes. */
interface RefreshTemplate {
  /** The connection's id, not the connection: a template must not keep a closed one alive. */
  readonly connectionId: string;
  readonly account: RegistrarAccount;
  readonly contact: string;
  readonly callId: string;
  readonly expires: number;
  readonly credentials: DigestCredentials;
  readonly topVia: SipRequest["topVia"];
  /** The From tag ("" when none): with the Call-ID and CSeq, the §8.2.2.2 merge key. */
  readonly fromTag: string;
  readonly request: ByteTemplate;
  /** Where each field is among the request template's holes (they are in byte order). */
  readonly at: Readonly<Record<RequestField, number>>;
  readonly response: ByteTemplate;
  readonly responseFields: readonly ResponseField[];
}

/**
 * The registrar's refresh shortcut. A PBX refreshes its registration with the REGISTER that
 * made it, changing only the Via branch, the CSeq number and the nc, cnonce and response of
 * its credentials for the same nonce. From each such refresh the registrar answers 200 this
 * learns the request and the response as byte templates with those fields as holes; a later
 * message on the same connection that matches the request template byte for byte outside
 * the holes parses to the same request but for those fields, so it is answered here: the
 * registrar does the refresh (`refreshAtOnce`: the same checks, nonce, lockout, binding
 * and outcome as `handleRegister`) and the 200 is the response template with its holes
 * filled. Anything else — another field changed, a fault rule present, a binding that moved,
 * a wrong response, a replayed nonce count — declines, and the layers take the message as
 * they always do.
 */
export class RefreshShortcut implements MessageShortcut {
  /** Refreshes answered here since start. */
  taken = 0;
  /** By Call-ID (unique per registration, RFC 3261 §10.2.4), oldest learned first. */
  private readonly templates = new Map<string, RefreshTemplate>();
  private readonly eviction = new EvictionCursor(this.templates);
  /** The template of each account (one binding each): a new registration's replaces the old one's. */
  private readonly byAccount = new WeakMap<RegistrarAccount, RefreshTemplate>();
  // The REGISTER the layers are handling now (set by `handing`), for `learn` to find its bytes.
  private currentWire: Buffer | undefined;
  private currentMessage: SipMessage | undefined;

  constructor(
    private readonly registrar: Registrar,
    private readonly ports: RefreshShortcutPorts,
  ) {
    registrar.refreshed = (account, tx, response) => this.learn(account, tx, response);
  }

  get size(): number {
    return this.templates.size;
  }

  take(data: Buffer, start: number, connection: SipConnection): ShortcutAnswer | undefined {
    if (this.templates.size === 0 || this.ports.faultsActive()) return undefined;
    const template = this.templateFor(data, start, connection);
    const match = template?.request.match(data, start);
    if (template === undefined || match === undefined) return undefined;
    const { at } = template;
    const values = match.values;
    const branch = values[at.branch]!;
    const cseqText = values[at.cseq]!;
    const cseq = Number(cseqText);
    if (cseqText.length > 10 || cseq > MAX_CSEQ || !branch.startsWith("z9hG4bK")) return undefined;
    // The To has no tag (a template needs that): the merge key applies, as in the layer.
    const merge = `${template.fromTag} ${template.callId} ${cseq} REGISTER`;
    if (!this.ports.transactions.isNewRequest("REGISTER", branch, template.topVia, merge)) return undefined;
    const done = this.registrar.refreshAtOnce({
      account: template.account,
      contact: template.contact,
      connection,
      callId: template.callId,
      cseq,
      expires: template.expires,
      credentials: template.credentials,
      counted: { nc: values[at.nc]!, cnonce: values[at.cnonce]!, response: values[at.response]! },
    });
    if (done === undefined) return undefined;
    this.ports.transactions.countAnswered();
    this.taken++;
    const fills: string[] = [];
    for (const field of template.responseFields) {
      if (field === "branch") fills.push(branch);
      else if (field === "tag") fills.push(newTag());
      else if (field === "cseq") fills.push(cseqText);
      else if (field === "expires") fills.push(String(done.expires));
      else fills.push(done.date);
    }
    return { length: match.length, response: template.response.render(fills) };
  }

  handing(wire: Buffer, message: SipMessage, _connection: SipConnection): void {
    if (message.kind !== "request" || message.method !== "REGISTER") return;
    this.currentWire = wire;
    this.currentMessage = message;
  }

  /**
   * The template of this connection's registration whose Call-ID the message carries. The line
   * found may be a later message's when this one has none: then this one cannot match it.
   */
  private templateFor(data: Buffer, start: number, connection: SipConnection): RefreshTemplate | undefined {
    // Calls and keep-alives share the connection: anything but a REGISTER is passed at once.
    const method = start + REGISTER.length;
    if (method > data.length || data.compare(REGISTER, 0, REGISTER.length, start, method) !== 0)
      return undefined;
    const line = data.indexOf(CALL_ID_LINE, start);
    if (line < 0) return undefined;
    const valueStart = line + CALL_ID_LINE.length;
    const template = this.templates.get(data.toString("latin1", valueStart, data.indexOf(CRLF, valueStart)));
    return template?.connectionId === connection.id ? template : undefined;
  }

  /** A refresh's 200 went out: keep the REGISTER and its answer as templates when the next can use them. */
  private learn(account: RegistrarAccount, tx: ServerTransaction, response: SipResponse): void {
    const wire = this.currentWire;
    const current = this.currentMessage;
    this.currentWire = undefined;
    this.currentMessage = undefined;
    const { request, connection } = tx;
    if (wire === undefined || current !== request || this.ports.faultsActive()) return;
    const previous = this.byAccount.get(account);
    if (previous !== undefined && this.templates.get(previous.callId) === previous)
      this.templates.delete(previous.callId);
    this.templates.delete(request.callId);
    const template = this.build(account, request, ownCopy(wire), connection, response);
    if (template === undefined) return;
    this.templates.set(template.callId, template);
    this.byAccount.set(account, template);
    if (this.templates.size > MAX_TEMPLATES) this.eviction.evictOldest();
  }

  private build(
    account: RegistrarAccount,
    request: SipRequest,
    wire: Buffer,
    connection: SipConnection,
    response: SipResponse,
  ): RefreshTemplate | undefined {
    if (connection.protocol !== "TLS" && connection.protocol !== "TCP") return undefined;
    if (request.body.length > 0 || request.to.params.tag !== undefined) return undefined;
    const { headers, callId } = request;
    const branch = request.topVia.branch;
    if (branch === undefined || headers.getAll("via").length !== 1) return undefined;
    const change = this.registrar.soleContactChange(request);
    const authorizations = headers.getAll("authorization");
    if (change === undefined || authorizations.length !== 1) return undefined;
    const binding = this.registrar.bindings.get(account.id, change.key);
    if (
      binding?.connectionId !== connection.id ||
      binding.callId !== callId ||
      this.registrar.bindings.countOf(account.id) !== 1
    ) {
      return undefined;
    }
    const credentials = readDigestCredentials(authorizations[0]!);
    const { nc, cnonce, response: digest } = credentials ?? {};
    if (credentials === undefined || !nc || !cnonce || !digest) return undefined;
    const cseqText = String(request.cseq.seq);
    const requestHoles: (FieldHole<RequestField> | undefined)[] = [
      lineHole(wire, "Via", `;branch=${branch}`, "token", "branch"),
      lineHole(wire, "CSeq", cseqText, "digits", "cseq", true),
      ...authorizationHoles(wire, nc, cnonce, digest),
    ];
    const tag = response.to.params.tag;
    // What the layers wrote: the shortcut runs only while no sip.out fault changes the bytes.
    const responseBytes = ownCopy(serialize(response));
    const responseHoles: (FieldHole<ResponseField> | undefined)[] = [
      uniqueHole(responseBytes, `;branch=${branch}`, "token", "branch"),
      tag === undefined ? undefined : uniqueHole(responseBytes, `;tag=${tag}`, "token", "tag"),
      lineHole(responseBytes, "CSeq", cseqText, "digits", "cseq", true),
      expiresHole(responseBytes),
      lineHole(responseBytes, "Date", undefined, "text", "date"),
    ];
    const requestTemplate = templateOf(wire, requestHoles);
    const responseTemplate = templateOf(responseBytes, responseHoles);
    if (requestTemplate === undefined || responseTemplate === undefined) return undefined;
    return {
      connectionId: connection.id,
      account,
      contact: change.key,
      callId: binding.callId,
      expires: change.expires,
      credentials,
      topVia: request.topVia,
      fromTag: request.from.params.tag ?? "",
      request: requestTemplate.template,
      at: {
        branch: requestTemplate.fields.indexOf("branch"),
        cseq: requestTemplate.fields.indexOf("cseq"),
        nc: requestTemplate.fields.indexOf("nc"),
        cnonce: requestTemplate.fields.indexOf("cnonce"),
        response: requestTemplate.fields.indexOf("response"),
      },
      response: responseTemplate.template,
      responseFields: responseTemplate.fields,
    };
  }
}

/**
 * `bytes` in a buffer of their own. A small Buffer is a view of a shared 8 KiB slab, which a
 * kept template would keep alive whole (thousands of templates: megabytes the GC keeps seeing).
 */
function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

function templateOf<F>(
  bytes: Buffer,
  holes: readonly (FieldHole<F> | undefined)[],
): { template: ByteTemplate; fields: F[] } | undefined {
  if (holes.some((h) => h === undefined)) return undefined;
  const sorted = (holes as FieldHole<F>[]).slice().sort((a, b) => a.start - b.start);
  const template = ByteTemplate.of(bytes, sorted);
  return template && { template, fields: sorted.map((h) => h.field) };
}

/**
 * The hole right after `prefix` in the one header line `name` (spelled so, the usual way);
 * with `digitsFirst` the prefix is the value the line starts with. Undefined when the line
 * is missing, repeated or folded, or does not read so.
 */
function lineHole<F>(
  bytes: Buffer,
  name: string,
  text: string | undefined,
  kind: HoleKind,
  field: F,
  valueFirst = false,
): FieldHole<F> | undefined {
  const line = `\r\n${name}: `;
  const at = bytes.indexOf(line);
  if (at < 0 || bytes.indexOf(line, at + 1) >= 0) return undefined;
  const lineStart = at + line.length;
  const lineEnd = bytes.indexOf(CRLF, lineStart);
  if (lineEnd < 0 || bytes[lineEnd + 2] === 0x20 || bytes[lineEnd + 2] === 0x09) return undefined;
  if (text === undefined) return { start: lineStart, end: lineEnd, kind, field };
  if (valueFirst) {
    return bytes.toString("latin1", lineStart, lineStart + text.length) === text
      ? { start: lineStart, end: lineStart + text.length, kind, field }
      : undefined;
  }
  const found = bytes.indexOf(text, lineStart);
  if (found < 0 || found + text.length > lineEnd || bytes.indexOf(text, found + 1) >= 0) return undefined;
  const start = found + text.indexOf("=") + 1;
  return { start, end: found + text.length, kind, field };
}

/** The value of `text` (`;name=value`) when it occurs exactly once in `bytes`. */
function uniqueHole<F>(bytes: Buffer, text: string, kind: HoleKind, field: F): FieldHole<F> | undefined {
  const found = bytes.indexOf(text);
  if (found < 0 || bytes.indexOf(text, found + 1) >= 0) return undefined;
  return { start: found + text.indexOf("=") + 1, end: found + text.length, kind, field };
}

/** The seconds of the 200's one Contact: `;expires=N` ending its line. */
function expiresHole(bytes: Buffer): FieldHole<ResponseField> | undefined {
  const found = bytes.lastIndexOf(";expires=");
  if (found < 0) return undefined;
  const start = found + ";expires=".length;
  const end = bytes.indexOf(CRLF, start);
  return end > start ? { start, end, kind: "digits", field: "expires" } : undefined;
}

/** nc, cnonce and response in the one Authorization line, each a parameter that occurs once. */
function authorizationHoles(
  wire: Buffer,
  nc: string,
  cnonce: string,
  response: string,
): (FieldHole<RequestField> | undefined)[] {
  const line = "\r\nAuthorization: ";
  const at = wire.indexOf(line);
  if (at < 0 || wire.indexOf(line, at + 1) >= 0) return [undefined];
  const lineEnd = wire.indexOf(CRLF, at + line.length);
  if (lineEnd < 0 || wire[lineEnd + 2] === 0x20 || wire[lineEnd + 2] === 0x09) return [undefined];
  const param = (name: RequestField, value: string, kind: HoleKind) => {
    let hole: FieldHole<RequestField> | undefined;
    for (const quote of ["", '"']) {
      const text = `${name}=${quote}${value}${quote}`;
      for (let i = wire.indexOf(text, at); i >= 0 && i < lineEnd; i = wire.indexOf(text, i + 1)) {
        // A parameter starts after "Digest ", a comma or white space (not inside "cnonce=" for nc).
        const before = wire[i - 1];
        if (before !== 0x20 && before !== 0x2c && before !== 0x09) continue;
        if (hole !== undefined) return undefined;
        const start = i + name.length + 1 + quote.length;
        hole = { start, end: start + value.length, kind, field: name };
      }
    }
    return hole;
  };
  return [param("nc", nc, "hex"), param("cnonce", cnonce, "qdtext"), param("response", response, "hex")];
}
