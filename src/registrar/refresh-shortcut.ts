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
import { isRfc3261Branch, type ServerTransaction, type TransactionLayer } from "../sip/transaction/index.js";
import type { MessageShortcut, ShortcutAnswer, SipConnection } from "../sip/transport/index.js";
import { ByteTemplate, type Hole, type HoleKind } from "./byte-template.js";
import type { ContactChange } from "./register-contacts.js";
import type { Registrar } from "./registrar.js";
import type { RegistrarAccount } from "./registration-core.js";

/** What the shortcut needs of the layers it stands in for. */
export interface RefreshShortcutPorts {
  /** True while a fault rule may act on SIP in or out: then every message takes the layers. */
  readonly faultsActive: () => boolean;
  /** The transaction layer: whether a request is new, and the count of those answered here. */
  readonly transactions: Pick<TransactionLayer, "isNewRequest" | "countAnswered">;
}

/** Templates kept at most (one per trunk registered); the oldest go first. */
const MAX_TEMPLATES = 16_384;
/** CSeq numbers are below 2^31 (RFC 3261 §8.1.1.5); a larger one takes the layers (400). */
const MAX_CSEQ = 2 ** 31 - 1;

const REGISTER = Buffer.from("REGISTER ");
const TO_LINE = Buffer.from("\r\nTo: ");
const CRLF = Buffer.from("\r\n");

type RequestField = "branch" | "fromTag" | "callId" | "cseq" | "nonce" | "nc" | "cnonce" | "response";
type ResponseField = "branch" | "fromTag" | "tag" | "callId" | "cseq" | "expires" | "date";
type FieldHole<F> = Hole & { readonly field: F };

/** One registration's REGISTER and 200 as bytes, with the fields a refresh changes as holes. */
interface RefreshTemplate {
  /** The connection's id, not the connection: a template must not keep a closed one alive. */
  readonly connectionId: string;
  /** The To header's value: what the template is found by. */
  readonly to: string;
  readonly account: RegistrarAccount;
  readonly contact: string;
  readonly expires: number;
  readonly credentials: DigestCredentials;
  readonly topVia: SipRequest["topVia"];
  readonly request: ByteTemplate;
  /** Where each field is among the request template's holes (they are in byte order). */
  readonly at: Readonly<Record<RequestField, number>>;
  readonly response: ByteTemplate;
  readonly responseFields: readonly ResponseField[];
}

/**
 * The registrar's refresh shortcut. A PBX registers again and again with the same REGISTER,
 * changing only the Via branch, the From tag, the Call-ID (when it registers afresh), the CSeq
 * number and its credentials' nonce, nc, cnonce and response. From each REGISTER the registrar
 * answers 200 binding one contact this learns the request and the response as byte templates
 * with those fields as holes; a later REGISTER on the same connection, with the same To, that
 * matches the request template byte for byte outside the holes parses to the same request but
 * for those fields, so it is answered here: the registrar renews the binding
 * (`refreshAtOnce`: the same checks, nonce, lockout, binding and outcome as `handleRegister`)
 * and the 200 is the response template with its holes filled. Anything else — another field
 * changed, a fault rule present, a binding that moved, a wrong response, a replayed nonce
 * count, a CSeq not higher — declines, and the layers take the message as they always do.
 */
export class RefreshShortcut implements MessageShortcut {
  /** REGISTERs answered here since start. */
  taken = 0;
  /** By the To value (the address-of-record as the PBX writes it), oldest learned first. */
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
    registrar.boundOne = (account, tx, response, change) => this.learn(account, tx, response, change);
  }

  take(data: Buffer, start: number, connection: SipConnection): ShortcutAnswer | undefined {
    if (this.templates.size === 0 || this.ports.faultsActive()) return undefined;
    const template = this.templateFor(data, start, connection);
    const match = template?.request.match(data, start);
    if (template === undefined || match === undefined) return undefined;
    const { at } = template;
    const values = match.values;
    const branch = values[at.branch]!;
    const fromTag = values[at.fromTag]!;
    const callId = values[at.callId]!;
    const cseqText = values[at.cseq]!;
    const cseq = Number(cseqText);
    // A branch without the magic cookie is matched the RFC 2543 way: the layers' business.
    if (cseqText.length > 10 || cseq > MAX_CSEQ || !isRfc3261Branch(branch)) return undefined;
    // The To has no tag (a template needs that): the merge rule applies, as in the layer.
    const merge = { fromTag, callId, seq: cseq };
    if (!this.ports.transactions.isNewRequest("REGISTER", branch, template.topVia, merge)) return undefined;
    const done = this.registrar.refreshAtOnce({
      account: template.account,
      contact: template.contact,
      connection,
      callId,
      cseq,
      expires: template.expires,
      credentials: template.credentials,
      counted: {
        nonce: values[at.nonce]!,
        nc: values[at.nc]!,
        cnonce: values[at.cnonce]!,
        response: values[at.response]!,
      },
    });
    if (done === undefined) return undefined;
    this.ports.transactions.countAnswered();
    this.taken++;
    const fills: string[] = [];
    for (const field of template.responseFields) {
      if (field === "branch") fills.push(branch);
      else if (field === "fromTag") fills.push(fromTag);
      else if (field === "callId") fills.push(callId);
      else if (field === "tag") fills.push(newTag());
      else if (field === "cseq") fills.push(cseqText);
      else if (field === "expires") fills.push(String(done.expires));
      else fills.push(done.date);
    }
    return { length: match.length, response: template.response.render(fills) };
  }

  handing(wire: Buffer, message: SipMessage): void {
    if (message.kind !== "request" || message.method !== "REGISTER") return;
    this.currentWire = wire;
    this.currentMessage = message;
  }

  /**
   * The template of this connection's registration whose To the message carries. The line
   * found may be a later message's when this one has none: then this one cannot match it.
   */
  private templateFor(data: Buffer, start: number, connection: SipConnection): RefreshTemplate | undefined {
    // Calls and keep-alives share the connection: anything but a REGISTER is passed at once.
    const method = start + REGISTER.length;
    if (method > data.length || data.compare(REGISTER, 0, REGISTER.length, start, method) !== 0)
      return undefined;
    const line = data.indexOf(TO_LINE, start);
    if (line < 0) return undefined;
    const valueStart = line + TO_LINE.length;
    const template = this.templates.get(data.toString("latin1", valueStart, data.indexOf(CRLF, valueStart)));
    return template?.connectionId === connection.id ? template : undefined;
  }

  /** A 200 binding one contact went out: keep the REGISTER and its answer as templates for the next. */
  private learn(
    account: RegistrarAccount,
    tx: ServerTransaction,
    response: SipResponse,
    change: ContactChange,
  ): void {
    const wire = this.currentWire;
    const current = this.currentMessage;
    this.currentWire = undefined;
    this.currentMessage = undefined;
    const { request, connection } = tx;
    // A trunk without authentication is never short-cut (refreshAtOnce): its REGISTERs learn nothing.
    if (wire === undefined || current !== request || !account.authRequired || this.ports.faultsActive())
      return;
    const previous = this.byAccount.get(account);
    if (previous !== undefined && this.templates.get(previous.to) === previous)
      this.templates.delete(previous.to);
    const template = this.build(account, request, wire, connection, response, change);
    if (template === undefined) return;
    this.templates.delete(template.to);
    this.templates.set(template.to, template);
    this.byAccount.set(account, template);
    if (this.templates.size > MAX_TEMPLATES) this.eviction.evictOldest();
  }

  private build(
    account: RegistrarAccount,
    request: SipRequest,
    wire: Buffer,
    connection: SipConnection,
    response: SipResponse,
    change: ContactChange,
  ): RefreshTemplate | undefined {
    if (connection.protocol !== "TLS" && connection.protocol !== "TCP") return undefined;
    if (request.body.length > 0 || request.to.params.tag !== undefined) return undefined;
    const { headers, callId } = request;
    const branch = request.topVia.branch;
    if (branch === undefined || headers.getAll("via").length !== 1) return undefined;
    const authorizations = headers.getAll("authorization");
    if (authorizations.length !== 1) return undefined;
    const binding = this.registrar.bindings.get(account.id, change.key);
    if (
      binding?.connectionId !== connection.id ||
      binding.callId !== callId ||
      this.registrar.bindings.countOf(account.id) !== 1
    ) {
      return undefined;
    }
    const credentials = readDigestCredentials(authorizations[0]!);
    if (!credentials?.nonce || !credentials.nc || !credentials.cnonce || !credentials.response)
      return undefined;
    // The template keeps the bytes: copied out of the connection's receive buffer only now.
    wire = ownCopy(wire);
    const fromTag = request.from.params.tag;
    const to = lineHole(wire, "To", undefined, "visible", "to");
    if (!fromTag || to === undefined) return undefined;
    const cseqText = String(request.cseq.seq);
    const requestHoles: (FieldHole<RequestField> | undefined)[] = [
      lineHole(wire, "Via", `;branch=${branch}`, "token", "branch"),
      lineHole(wire, "From", `;tag=${fromTag}`, "token", "fromTag"),
      sameText(wire, lineHole(wire, "Call-ID", undefined, "visible", "callId"), callId),
      lineHole(wire, "CSeq", cseqText, "digits", "cseq", true),
      ...authorizationHoles(wire, credentials),
    ];
    const tag = response.to.params.tag;
    // What the layers wrote: the shortcut runs only while no sip.out fault changes the bytes.
    const responseBytes = ownCopy(serialize(response));
    const responseHoles: (FieldHole<ResponseField> | undefined)[] = [
      uniqueHole(responseBytes, `;branch=${branch}`, "token", "branch"),
      lineHole(responseBytes, "From", `;tag=${fromTag}`, "token", "fromTag"),
      tag === undefined ? undefined : uniqueHole(responseBytes, `;tag=${tag}`, "token", "tag"),
      sameText(responseBytes, lineHole(responseBytes, "Call-ID", undefined, "visible", "callId"), callId),
      lineHole(responseBytes, "CSeq", cseqText, "digits", "cseq", true),
      expiresHole(responseBytes),
      lineHole(responseBytes, "Date", undefined, "text", "date"),
    ];
    const requestTemplate = templateOf(wire, requestHoles);
    const responseTemplate = templateOf(responseBytes, responseHoles);
    if (requestTemplate === undefined || responseTemplate === undefined) return undefined;
    const at = (field: RequestField) => requestTemplate.fields.indexOf(field);
    return {
      connectionId: connection.id,
      to: wire.toString("latin1", to.start, to.end),
      account,
      contact: change.key,
      expires: change.expires,
      credentials,
      topVia: request.topVia,
      request: requestTemplate.template,
      at: {
        branch: at("branch"),
        fromTag: at("fromTag"),
        callId: at("callId"),
        cseq: at("cseq"),
        nonce: at("nonce"),
        nc: at("nc"),
        cnonce: at("cnonce"),
        response: at("response"),
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
 * A hole in the one header line `name` (spelled so, the usual way): its whole value when
 * `text` is undefined; the value of `text` (`;param=value`) found in the line; with
 * `valueFirst`, `text` itself as the start of the value. Undefined when the line is missing,
 * repeated or folded, or does not read so.
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

/** `hole` when the bytes it spans are `text`. */
function sameText<F>(bytes: Buffer, hole: FieldHole<F> | undefined, text: string): FieldHole<F> | undefined {
  return hole && bytes.toString("latin1", hole.start, hole.end) === text ? hole : undefined;
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

/** nonce, nc, cnonce and response in the one Authorization line, each a parameter that occurs once. */
function authorizationHoles(
  wire: Buffer,
  credentials: DigestCredentials,
): (FieldHole<RequestField> | undefined)[] {
  const line = "\r\nAuthorization: ";
  const at = wire.indexOf(line);
  if (at < 0 || wire.indexOf(line, at + 1) >= 0) return [undefined];
  const lineEnd = wire.indexOf(CRLF, at + line.length);
  if (lineEnd < 0 || wire[lineEnd + 2] === 0x20 || wire[lineEnd + 2] === 0x09) return [undefined];
  const param = (name: "nonce" | "nc" | "cnonce" | "response", kind: HoleKind) => {
    const value = credentials[name]!;
    let hole: FieldHole<RequestField> | undefined;
    for (const quote of ["", '"']) {
      const text = `${name}=${quote}${value}${quote}`;
      for (let i = wire.indexOf(text, at); i >= 0 && i < lineEnd; i = wire.indexOf(text, i + 1)) {
        // A parameter starts after "Digest ", a comma or white space (not inside "cnonce=" for nonce).
        const before = wire[i - 1];
        if (before !== 0x20 && before !== 0x2c && before !== 0x09) continue;
        if (hole !== undefined) return undefined;
        const start = i + name.length + 1 + quote.length;
        hole = { start, end: start + value.length, kind, field: name };
      }
    }
    return hole;
  };
  return [param("nonce", "qdtext"), param("nc", "hex"), param("cnonce", "qdtext"), param("response", "hex")];
}
