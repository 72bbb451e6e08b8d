import { copyBytes } from "../shared/copy-bytes.js";
import { detachedString } from "../shared/detached-string.js";
import { EvictionCursor } from "../shared/eviction-cursor.js";
import { TAG_LENGTH, writeTag } from "../shared/ids.js";
import type { Mutable } from "../shared/mutable.js";
import {
  type DigestCredentials,
  readDigestCredentials,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  serialize,
} from "../sip/message/index.js";
import {
  isRfc3261BranchAt,
  type ServerTransaction,
  type TransactionLayer,
} from "../sip/transaction/index.js";
import type { MessageShortcut, ShortcutAnswer, SipConnection } from "../sip/transport/index.js";
import { ByteTemplate, type Hole, type HoleFill, type HoleKind } from "./byte-template.js";
import type { CountedResponse } from "./digest.js";
import type { ContactChange } from "./register-contacts.js";
import type { Registrar } from "./registrar.js";
import type { RecognisedRefresh, RegistrarAccount } from "./registration-core.js";

/** What the shortcut needs of the layers it stands in for. */
export interface RefreshShortcutPorts {
  /** True while a fault rule may act on SIP in or out: then every message takes the layers. */
  readonly faultsActive: () => boolean;
  /** The transaction layer: whether a request is new, and the count of those answered here. */
  readonly transactions: Pick<TransactionLayer, "hasServerTransactions" | "isNewRequest" | "countAnswered">;
}

/** Templates kept at most (one per trunk registered); the oldest go first. */
const MAX_TEMPLATES = 16_384;
/** CSeq numbers are below 2^31 (RFC 3261 §8.1.1.5); a larger one takes the layers (400). */
const MAX_CSEQ = 2 ** 31 - 1;
/** Digits of a CSeq number looked at: a longer one takes the layers. */
const MAX_CSEQ_DIGITS = 10;
/** Holes of a request template: branch, From tag, Call-ID, CSeq, nonce, nc, cnonce, response. */
const MAX_REQUEST_HOLES = 8;
const NO_BYTES: Buffer = Buffer.alloc(0);

const REGISTER = Buffer.from("REGISTER ");
const TO_LINE = Buffer.from("\r\nTo: ");
const CRLF = Buffer.from("\r\n");

type RequestField = "branch" | "fromTag" | "callId" | "cseq" | "nonce" | "nc" | "cnonce" | "response";
/** The 200's holes: the request's own four (copied from its bytes), a new To tag, expires and Date. */
type ResponseField = "branch" | "fromTag" | "tag" | "callId" | "cseq" | "expires" | "date";
type FieldHole<F> = Hole & { readonly field: F };

/** One registration's REGISTER and 200 as bytes, with the fields a refresh changes as holes. */
interface RefreshTemplate {
  /** The connection's id, not the connection: a template must not keep a closed one alive. */
  readonly connectionId: string;
  /** The To header's value: what the template is found by. */
  readonly to: string;
  /**
   * What the registrar is asked (refreshAtOnce), one object per template: each refresh fills
   * in its Call-ID, CSeq and counted response, keeping the strings when they are unchanged.
   */
  readonly refresh: Omit<Mutable<RecognisedRefresh>, "counted"> & {
    readonly counted: Mutable<CountedResponse>;
  };
  readonly topVia: SipRequest["topVia"];
  readonly request: ByteTemplate;
  /** Where each field's span starts in the matched spans (2 × its place among the holes, which are in byte order). */
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
  /** Where each hole of the request matched (see ByteTemplate.match), reused by every take. */
  private readonly spans = new Int32Array(2 * MAX_REQUEST_HOLES);
  private readonly fill = new ResponseFill(this.spans);
  /** What take answers: one object, read by the transport before the next take. */
  private readonly answer: { length: number; response: Buffer } = { length: 0, response: NO_BYTES };

  constructor(
    private readonly registrar: Registrar,
    private readonly ports: RefreshShortcutPorts,
  ) {
    registrar.boundOne = (account, tx, response, change) => this.learn(account, tx, response, change);
  }

  take(data: Buffer, start: number, connection: SipConnection): ShortcutAnswer | undefined {
    if (this.templates.size === 0 || this.ports.faultsActive()) return undefined;
    const template = this.templateFor(data, start, connection);
    const spans = this.spans;
    const end = template === undefined ? -1 : template.request.match(data, start, spans);
    if (template === undefined || end < 0) return undefined;
    const { at, refresh } = template;
    const cseq = cseqAt(data, spans[at.cseq]!, spans[at.cseq + 1]!);
    // A branch without the magic cookie is matched the RFC 2543 way: the layers' business.
    if (cseq < 0 || !isRfc3261BranchAt(data, spans[at.branch]!, spans[at.branch + 1]!)) return undefined;
    const transactions = this.ports.transactions;
    // Only while a REGISTER transaction lives here can this one be a retransmission or merged.
    if (transactions.hasServerTransactions("REGISTER")) {
      const text = (span: number) => data.toString("latin1", spans[span], spans[span + 1]);
      // The To has no tag (a template needs that): the merge rule applies, as in the layer.
      const merge = { fromTag: text(at.fromTag), callId: text(at.callId), seq: cseq };
      if (!transactions.isNewRequest("REGISTER", text(at.branch), template.topVia, merge)) return undefined;
    }
    refresh.callId = sameOrNew(refresh.callId, data, spans[at.callId]!, spans[at.callId + 1]!);
    refresh.cseq = cseq;
    const counted = refresh.counted;
    counted.nonce = sameOrNew(counted.nonce, data, spans[at.nonce]!, spans[at.nonce + 1]!);
    counted.ncStart = spans[at.nc]!;
    counted.ncEnd = spans[at.nc + 1]!;
    counted.cnonceStart = spans[at.cnonce]!;
    counted.cnonceEnd = spans[at.cnonce + 1]!;
    counted.responseStart = spans[at.response]!;
    counted.responseEnd = spans[at.response + 1]!;
    const expires = this.registrar.refreshAtOnce(refresh, connection, data);
    if (expires === undefined) return undefined;
    transactions.countAnswered();
    this.taken++;
    const fill = this.fill;
    fill.start(data, template, expires, this.registrar.httpDate());
    const answer = this.answer;
    try {
      answer.response = template.response.render(fill);
    } finally {
      fill.end();
    }
    answer.length = end - start;
    return answer;
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
    const at = (field: RequestField) => 2 * requestTemplate.fields.indexOf(field);
    const refresh = {
      account,
      contact: change.key,
      expires: change.expires,
      credentials,
      // The binding's own copy: a string cut from the message would keep its text alive.
      callId: binding.callId,
      cseq: request.cseq.seq,
      counted: {
        nonce: detachedString(credentials.nonce),
        ncStart: 0,
        ncEnd: 0,
        cnonceStart: 0,
        cnonceEnd: 0,
        responseStart: 0,
        responseEnd: 0,
      },
    };
    return {
      connectionId: connection.id,
      to: wire.toString("latin1", to.start, to.end),
      refresh,
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
 * The 200's holes, filled for the REGISTER being answered: its branch, From tag, Call-ID and
 * CSeq copied from its bytes (where `spans` says, as its template matched them), a new To
 * tag, the Contact's expires and the Date. One per shortcut, set up for each answer.
 */
class ResponseFill implements HoleFill {
  private bytes = NO_BYTES;
  private template: RefreshTemplate | undefined;
  private expires = 0;
  private date = "";

  constructor(private readonly spans: Int32Array) {}

  start(bytes: Buffer, template: RefreshTemplate, expires: number, date: string): void {
    this.bytes = bytes;
    this.template = template;
    this.expires = expires;
    this.date = date;
  }

  /** The answer is rendered: the received bytes are let go of. */
  end(): void {
    this.bytes = NO_BYTES;
    this.template = undefined;
  }

  length(hole: number): number {
    const { responseFields, at } = this.template!;
    const field = responseFields[hole]!;
    if (field === "tag") return TAG_LENGTH;
    if (field === "expires") return decimalLength(this.expires);
    if (field === "date") return this.date.length;
    const span = at[field];
    return this.spans[span + 1]! - this.spans[span]!;
  }

  write(hole: number, out: Buffer, at: number): void {
    const template = this.template!;
    const field = template.responseFields[hole]!;
    if (field === "tag") writeTag(out, at);
    else if (field === "expires") writeDecimal(out, at, this.expires);
    else if (field === "date") out.write(this.date, at, "latin1");
    else {
      const span = template.at[field];
      copyBytes(this.bytes, this.spans[span]!, this.spans[span + 1]!, out, at);
    }
  }
}

/** The CSeq number of `bytes[start, end)` (digits), or -1 when it is longer or larger than a CSeq may be. */
function cseqAt(bytes: Buffer, start: number, end: number): number {
  if (end - start > MAX_CSEQ_DIGITS) return -1;
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (bytes[i]! - 0x30);
  return value > MAX_CSEQ ? -1 : value;
}

/** `kept` when `bytes[start, end)` spells it (latin1), else those bytes as a string of their own. */
function sameOrNew(kept: string, bytes: Buffer, start: number, end: number): string {
  if (kept.length === end - start) {
    let i = 0;
    while (i < kept.length && kept.charCodeAt(i) === bytes[start + i]) i++;
    if (i === kept.length) return kept;
  }
  return bytes.toString("latin1", start, end);
}

function decimalLength(n: number): number {
  let length = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) length++;
  return length;
}

/** The non-negative integer `n` in decimal at `out[at…]` (decimalLength(n) bytes). */
function writeDecimal(out: Buffer, at: number, n: number): void {
  let rest = n;
  for (let i = at + decimalLength(n) - 1; i >= at; i--) {
    out[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
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
