import { Headers, headersRevision } from "./headers.js";
import { type NameAddr, parseNameAddr } from "./name-addr.js";
import { type CSeq, parseCSeq, parseMaxForwards } from "./scalar-fields.js";
import { badRequest } from "./sip-parse-error.js";
import { parseUri, type SipUri } from "./uri.js";
import { parseVia, type Via } from "./via.js";

const EMPTY_BODY = Buffer.alloc(0);

/** Structured header values, parsed on first use and dropped when the headers change. */
export interface ParsedFields {
  callId?: string;
  cseq?: CSeq;
  from?: NameAddr;
  to?: NameAddr;
  topVia?: Via;
  vias?: Via[];
  maxForwards?: number | null;
}

let seed: (message: MessageBase, fields: ParsedFields) => void;
let seedUri: (request: SipRequest, uri: SipUri) => void;

function required(headers: Headers, name: string): string {
  const value = headers.get(name);
  if (value === undefined) throw badRequest(`missing ${name} header`, "SIP_ERR_MISSING_HEADER");
  return value;
}

abstract class MessageBase {
  version = "SIP/2.0";
  headers: Headers;
  body: Buffer;
  #fields: ParsedFields = {};
  #fieldsOf: Headers | undefined;
  #revision = -1;

  static {
    seed = (message, fields) => {
      message.#fields = fields;
      message.#fieldsOf = message.headers;
      message.#revision = headersRevision(message.headers);
    };
  }

  constructor(headers: Headers | undefined, body: Buffer | undefined) {
    this.headers = headers ?? new Headers();
    this.body = body ?? EMPTY_BODY;
  }

  protected fields(): ParsedFields {
    const revision = headersRevision(this.headers);
    if (this.#fieldsOf !== this.headers || this.#revision !== revision) {
      this.#fields = {};
      this.#fieldsOf = this.headers;
      this.#revision = revision;
    }
    return this.#fields;
  }

  get callId(): string {
    const fields = this.fields();
    fields.callId ??= required(this.headers, "Call-ID");
    return fields.callId;
  }

  get cseq(): CSeq {
    const fields = this.fields();
    fields.cseq ??= parseCSeq(required(this.headers, "CSeq"));
    return fields.cseq;
  }

  get from(): NameAddr {
    const fields = this.fields();
    fields.from ??= parseNameAddr(required(this.headers, "From"));
    return fields.from;
  }

  get to(): NameAddr {
    const fields = this.fields();
    fields.to ??= parseNameAddr(required(this.headers, "To"));
    return fields.to;
  }

  /** Every Via value, top first. */
  get vias(): Via[] {
    const fields = this.fields();
    fields.vias ??= this.headers.getAll("Via").map(parseVia);
    return fields.vias;
  }

  get topVia(): Via {
    const fields = this.fields();
    fields.topVia ??= fields.vias?.[0] ?? parseVia(required(this.headers, "Via"));
    return fields.topVia;
  }

  /**
   * Replaces the top Via element with `value`, whose parsed form the caller gives (the
   * transport stamping received/rport), keeping Call-ID, CSeq, From and To parsed: a plain
   * header change would drop them all and every REGISTER would parse them twice.
   */
  replaceTopVia(value: string, parsed: Via): void {
    const { callId, cseq, from, to, maxForwards } = this.fields();
    this.headers.replaceFirst("Via", value);
    seed(this, { callId, cseq, from, to, maxForwards, topVia: parsed });
  }
}

/** Writes parse-time results into a message's cache so getters do not parse twice. */
export function seedFields(message: SipMessage, fields: ParsedFields): void {
  seed(message, fields);
}

export class SipRequest extends MessageBase {
  readonly kind = "request" as const;
  method: string;
  /** Request-URI exactly as on the wire; `requestUri` is its parsed form. */
  uri: string;
  #requestUri: SipUri | undefined;
  #requestUriOf: string | undefined;

  static {
    seedUri = (request, uri) => {
      request.#requestUri = uri;
      request.#requestUriOf = request.uri;
    };
  }

  constructor(method: string, uri: string, headers?: Headers, body?: Buffer) {
    super(headers, body);
    this.method = method;
    this.uri = uri;
  }

  get requestUri(): SipUri {
    if (this.#requestUriOf !== this.uri || this.#requestUri === undefined) {
      this.#requestUri = parseUri(this.uri);
      this.#requestUriOf = this.uri;
    }
    return this.#requestUri;
  }

  /** Max-Forwards value, or undefined when the header is absent. */
  get maxForwards(): number | undefined {
    const fields = this.fields();
    if (fields.maxForwards === undefined) {
      const value = this.headers.get("Max-Forwards");
      fields.maxForwards = value === undefined ? null : parseMaxForwards(value);
    }
    return fields.maxForwards ?? undefined;
  }
}

export class SipResponse extends MessageBase {
  readonly kind = "response" as const;
  status: number;
  reason: string;

  constructor(status: number, reason: string, headers?: Headers, body?: Buffer) {
    super(headers, body);
    this.status = status;
    this.reason = reason;
  }
}

export type SipMessage = SipRequest | SipResponse;

/** Lets the parser hand over a Request-URI it already parsed. */
export function seedRequestUri(request: SipRequest, uri: SipUri): void {
  seedUri(request, uri);
}
