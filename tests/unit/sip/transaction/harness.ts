import { ControllableClock } from "../../../../src/shared/clock.js";
import {
  createResponse,
  parseMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from "../../../../src/sip/message/index.js";
import {
  type ClientTransactionDelegate,
  type ServerTransaction,
  TransactionLayer,
  type TransactionUser,
} from "../../../../src/sip/transaction/index.js";
import { FakeConnection } from "../../../support/fake-connection.js";

export interface RequestOptions {
  /** Top Via branch; null leaves the branch parameter out. */
  branch?: string | null;
  sentBy?: string;
  uri?: string;
  fromTag?: string;
  toTag?: string;
  callId?: string;
  seq?: number;
  /** Additional header lines. */
  extra?: string[];
}

/** A request as the parser would hand it over. */
export function req(method: string, options: RequestOptions = {}): SipRequest {
  const branch = options.branch === undefined ? "z9hG4bKabc123" : options.branch;
  const via = `SIP/2.0/UDP ${options.sentBy ?? "10.0.0.1:5060"}${branch === null ? "" : `;branch=${branch}`}`;
  const toTag = options.toTag === undefined ? "" : `;tag=${options.toTag}`;
  const text = [
    `${method} ${options.uri ?? "sip:100@emulator.test"} SIP/2.0`,
    `Via: ${via}`,
    "Max-Forwards: 70",
    `From: <sip:pbx@10.0.0.1>;tag=${options.fromTag ?? "from1"}`,
    `To: <sip:100@emulator.test>${toTag}`,
    `Call-ID: ${options.callId ?? "call-1@10.0.0.1"}`,
    `CSeq: ${options.seq ?? 1} ${method}`,
    ...(options.extra ?? []),
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  const message = parseMessage(Buffer.from(text));
  if (message.kind !== "request") throw new Error("expected a request");
  return message;
}

/** The ACK a UAC sends for a non-2xx final response (same branch) or a 2xx (own branch). */
export function ackFor(invite: SipRequest, toTag: string, branch?: string): SipRequest {
  return req("ACK", {
    branch: branch ?? invite.topVia.branch ?? null,
    toTag,
    seq: invite.cseq.seq,
    callId: invite.callId,
    uri: invite.uri,
  });
}

/** The CANCEL for `invite` (RFC 3261 §9.1: same Request-URI, top Via, From, To, Call-ID, CSeq number). */
export function cancelFor(invite: SipRequest): SipRequest {
  return req("CANCEL", {
    branch: invite.topVia.branch ?? null,
    seq: invite.cseq.seq,
    callId: invite.callId,
    uri: invite.uri,
  });
}

export function res(request: SipRequest, status: number, toTag = "to1"): SipResponse {
  return createResponse(request, status, undefined, status === 100 ? undefined : toTag);
}

export function statusesOf(messages: readonly SipMessage[]): (number | string)[] {
  return messages.map((m) => (m.kind === "response" ? m.status : m.method));
}

/** A recording TU. */
export class RecordingUser implements TransactionUser {
  readonly requests: ServerTransaction[] = [];
  readonly acks: SipRequest[] = [];
  readonly cancels: ServerTransaction[] = [];
  readonly strays: SipResponse[] = [];
  /** When set, every new request is answered at once with this status. */
  answerWith: number | undefined;

  onRequest(transaction: ServerTransaction): void {
    this.requests.push(transaction);
    if (this.answerWith !== undefined) transaction.respond(res(transaction.request, this.answerWith));
  }
  onAck(ack: SipRequest): void {
    this.acks.push(ack);
  }
  onCancel(invite: ServerTransaction): void {
    this.cancels.push(invite);
  }
  onStrayResponse(response: SipResponse): void {
    this.strays.push(response);
  }
}

export class RecordingDelegate implements ClientTransactionDelegate {
  readonly responses: SipResponse[] = [];
  timeouts = 0;
  transportErrors = 0;

  onResponse(response: SipResponse): void {
    this.responses.push(response);
  }
  onTimeout(): void {
    this.timeouts++;
  }
  onTransportError(): void {
    this.transportErrors++;
  }
}

export interface Harness {
  clock: ControllableClock;
  user: RecordingUser;
  layer: TransactionLayer;
  conn: FakeConnection;
}

export function harness(reliable: boolean): Harness {
  const clock = new ControllableClock({ frozen: true });
  const user = new RecordingUser();
  const layer = new TransactionLayer({ clock, user });
  return { clock, user, layer, conn: new FakeConnection({ reliable }) };
}

/** An outgoing request of ours (the layer only needs a cookie branch). */
export function outgoing(method: string, branch: string, extra: string[] = []): SipRequest {
  return req(method, { branch, sentBy: "127.0.0.1:65061", extra });
}
