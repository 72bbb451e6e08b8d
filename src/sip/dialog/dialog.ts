import { newTag } from "../../shared/ids.js";
import { Headers, SipRequest as Request, type SipRequest, type SipResponse } from "../message/index.js";
import { newBranch } from "../transaction/index.js";
import type { SipConnection } from "../transport/index.js";
import { dialogKey } from "./dialog-id.js";
import type { LocalEndpoint } from "./local-endpoint.js";
import { routeRequest } from "./route-set.js";

export type DialogState = "early" | "confirmed" | "terminated";

export interface RequestOptions {
  readonly body?: Buffer | string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * Where the requests of a dialog travel: the peer's current registered flow (RFC 5626
 * §5.3 style — the connection a PBX behind NAT keeps open), or undefined when it has none.
 */
export type DialogFlow = () => SipConnection | undefined;

/**
 * One SIP dialog (RFC 3261 §12): ids, sequence numbers, remote target and route set,
 * and the connection its requests travel on. That is the peer's current registered flow
 * when the owner gave one (`followFlow`), else the connection the dialog was made on:
 * never whichever connection the last in-dialog request arrived on, because a PBX behind
 * NAT accepts requests only on the connection it registered over.
 */
export class Dialog {
  state: DialogState;
  localSeq: number;
  remoteSeq: number | undefined;
  remoteTarget: string;
  /** RFC 3261 §12.1: the Route header values of our requests, in order. */
  readonly routeSet: readonly string[];
  private lastFlow: SipConnection;
  private flow: DialogFlow | undefined;

  private constructor(
    readonly callId: string,
    readonly localTag: string,
    readonly remoteTag: string,
    /** From of our requests (name-addr without tag). */
    private readonly localUri: string,
    /** To of our requests (name-addr without tag). */
    private readonly remoteUri: string,
    init: {
      localSeq: number;
      remoteSeq: number | undefined;
      remoteTarget: string;
      routeSet: readonly string[];
      state: DialogState;
    },
    connection: SipConnection,
    private readonly endpoint: LocalEndpoint,
  ) {
    this.lastFlow = connection;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.state = init.state;
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /**
   * The connection our requests go over now: the flow's current connection while it has an
   * open one, else the last one it had (or the dialog's first), which may have closed.
   */
  get connection(): SipConnection {
    const current = this.flow?.();
    if (current?.open) this.lastFlow = current;
    return this.lastFlow;
  }

  /** From now on, requests follow `flow` (a re-registration on a new connection moves the dialog). */
  followFlow(flow: DialogFlow): void {
    this.flow = flow;
  }

  /** RFC 3261 §12.1.1: the UAS side, from the request and the To tag we answered with. */
  static asUas(
    request: SipRequest,
    localTag: string,
    connection: SipConnection,
    endpoint: LocalEndpoint,
    state: DialogState = "early",
  ): Dialog {
    return new Dialog(
      request.callId,
      localTag,
      request.from.params.tag ?? "",
      withoutTag(request.headers.get("to")!),
      withoutTag(request.headers.get("from")!),
      {
        localSeq: 0,
        remoteSeq: request.cseq.seq,
        remoteTarget: contactUri(request) ?? uriOf(request.headers.get("from")!),
        // §12.1.1: the route set is the Record-Route list, in order.
        routeSet: request.headers.getAll("record-route"),
        state,
      },
      connection,
      endpoint,
    );
  }

  /** RFC 3261 §12.1.2: the UAC side, from our request and the response that made the dialog. */
  static asUac(
    request: SipRequest,
    response: SipResponse,
    connection: SipConnection,
    endpoint: LocalEndpoint,
  ): Dialog {
    return new Dialog(
      request.callId,
      request.from.params.tag ?? "",
      response.to.params.tag ?? "",
      withoutTag(request.headers.get("from")!),
      withoutTag(request.headers.get("to")!),
      {
        localSeq: request.cseq.seq,
        remoteSeq: undefined,
        remoteTarget: contactUri(response) ?? request.uri,
        // §12.1.2: the route set is the Record-Route list in reverse order.
        routeSet: [...response.headers.getAll("record-route")].reverse(),
        state: response.status >= 200 ? "confirmed" : "early",
      },
      connection,
      endpoint,
    );
  }

  /**
   * RFC 3261 §12.2.2: is this in-dialog request in order? Lower CSeq → the caller answers
   * 500. A target-refresh request (re-INVITE, UPDATE) moves the remote target.
   */
  acceptIncoming(request: SipRequest): boolean {
    const seq = request.cseq.seq;
    if (request.method !== "ACK" && request.method !== "CANCEL") {
      if (this.remoteSeq !== undefined && seq <= this.remoteSeq) return false;
      this.remoteSeq = seq;
    }
    if (request.method === "INVITE" || request.method === "UPDATE") {
      const target = contactUri(request);
      if (target) this.remoteTarget = target;
    }
    return true;
  }

  /** RFC 3261 §12.2.1.1: a new request inside the dialog. */
  createRequest(method: string, options: RequestOptions = {}): SipRequest {
    const seq = method === "ACK" || method === "CANCEL" ? this.localSeq : ++this.localSeq;
    return this.build(method, seq, newBranch(), options);
  }

  /** The ACK for a 2xx to our INVITE with CSeq `inviteSeq` (RFC 3261 §13.2.2.4): its own branch. */
  createAck(inviteSeq: number): SipRequest {
    return this.build("ACK", inviteSeq, newBranch(), {});
  }

  /** Send a request that needs no transaction (ACK for 2xx) over the dialog's connection. */
  sendStateless(request: SipRequest): boolean {
    return this.connection.send(request);
  }

  private build(method: string, seq: number, branch: string, options: RequestOptions): SipRequest {
    const connection = this.connection;
    const { requestUri, routes } = routeRequest(this.remoteTarget, this.routeSet);
    const headers = new Headers();
    headers.append("via", `${this.endpoint.via(connection)};branch=${branch}`);
    headers.append("max-forwards", "70");
    headers.append("from", `${this.localUri};tag=${this.localTag}`);
    headers.append("to", `${this.remoteUri};tag=${this.remoteTag}`);
    headers.append("call-id", this.callId);
    headers.append("cseq", `${seq} ${method}`);
    for (const route of routes) headers.append("route", route);
    if (method !== "ACK" && method !== "CANCEL" && method !== "BYE") {
      headers.append("contact", `<${this.endpoint.contact(connection)}>`);
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    let body: Buffer = Buffer.alloc(0);
    if (options.body !== undefined) {
      body = Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
      if (options.contentType) headers.set("content-type", options.contentType);
    }
    return new Request(method, requestUri, headers, body);
  }
}

/** A tag for our side of a new dialog. */
export function newDialogTag(): string {
  return newTag();
}

function contactUri(message: SipRequest | SipResponse): string | undefined {
  const contact = message.headers.get("contact");
  return contact ? uriOf(contact) : undefined;
}

/**
 * The URI inside a name-addr, as sent (or an addr-spec with its header params cut off,
 * RFC 3261 §20.10). A `<` inside a quoted display name is not the bracket.
 */
function uriOf(value: string): string {
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === "\\" && quoted) i++;
    else if (ch === '"') quoted = !quoted;
    else if (ch === "<" && !quoted) return value.slice(i + 1, value.indexOf(">", i));
  }
  return value.split(";")[0]!.trim();
}

function withoutTag(value: string): string {
  return value.replace(/;\s*tag=[^;>\s]*/i, "");
}
