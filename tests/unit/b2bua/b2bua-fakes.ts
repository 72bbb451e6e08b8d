import type { Call } from "../../../src/b2bua/call.js";
import { CallJournal } from "../../../src/b2bua/call-journal.js";
import { ConnectorEndpoint } from "../../../src/b2bua/pbx-endpoint.js";
import type {
  CallEventNotice,
  CallOutcome,
  DialogEntry,
  ReachableClient,
  TenantOutage,
} from "../../../src/b2bua/ports.js";
import type { PbxSystem, Trunk, User } from "../../../src/domain/index.js";
import type { MediaEngine } from "../../../src/media/index.js";
import type { Binding, ClientBinding } from "../../../src/registrar/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { Listeners } from "../../../src/shared/listeners.js";
import type { DialogFlow } from "../../../src/sip/dialog/index.js";
import { parseMessage, type SipRequest, type SipResponse } from "../../../src/sip/message/index.js";
import type {
  ClientTransaction,
  ClientTransactionDelegate,
  ServerTransaction,
  TransactionState,
} from "../../../src/sip/transaction/index.js";
import type { SipConnection } from "../../../src/sip/transport/index.js";
import { FakeConnection } from "../../support/fake-connection.js";

export const START = 1_700_000_000_000;

export const SYSTEM: PbxSystem = {
  id: "sy_1",
  tenantId: "tn_1",
  systemId: "osbiz-1",
  name: "OSBiz",
  simultaneousCalls: 2,
  numbering: { schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" },
  createdAt: START,
};

export const TRUNK: Trunk = {
  id: "tk_1",
  tenantId: "tn_1",
  systemRef: "sy_1",
  name: "gtc-001",
  username: "3919209257",
  password: "secret",
  authRequired: true,
  createdAt: START,
};

export function user(fields: Partial<User> = {}): User {
  return {
    id: "us_al",
    tenantId: "tn_1",
    emailAddress: "al@acme.test",
    firstName: "Al",
    lastName: "Ace",
    locale: "de-DE",
    role: "user",
    trunkId: TRUNK.id,
    callno: "2131",
    phoneNumber: "+4923026672131",
    callBehaviour: {},
    routing: "default",
    busyBehaviour: "call-waiting",
    createdAt: START,
    updatedAt: START,
    ...fields,
  };
}

let txSeq = 0;

/** A server transaction that keeps the responses given to it. */
export class FakeServerTx implements ServerTransaction {
  readonly id = `stx-${++txSeq}`;
  state: TransactionState = "proceeding";
  readonly responses: SipResponse[] = [];

  constructor(
    readonly request: SipRequest,
    readonly connection: SipConnection,
  ) {}

  get method(): string {
    return this.request.method;
  }

  respond(response: SipResponse): void {
    this.responses.push(response);
    if (response.status >= 200) this.state = "completed";
  }

  /** The final response, if any. */
  get final(): SipResponse | undefined {
    return this.responses.find((r) => r.status >= 200);
  }

  statuses(): number[] {
    return this.responses.map((r) => r.status);
  }
}

/** A request as it would arrive on the wire. */
export function request(
  method: string,
  uri: string,
  options: {
    toTag?: string;
    fromTag?: string;
    body?: string;
    contentType?: string;
    headers?: string[];
    from?: string;
    callId?: string;
    cseq?: number;
  } = {},
): SipRequest {
  const body = options.body ?? "";
  const lines = [
    `${method} ${uri} SIP/2.0`,
    "Via: SIP/2.0/TLS 203.0.113.5:5061;branch=z9hG4bK-test-1",
    "Max-Forwards: 70",
    `From: <sip:${options.from ?? "+4930123456"}@203.0.113.5>;tag=${options.fromTag ?? "pbx-tag"}`,
    `To: <${uri}>${options.toTag ? `;tag=${options.toTag}` : ""}`,
    `Call-ID: ${options.callId ?? "inv-1@203.0.113.5"}`,
    `CSeq: ${options.cseq ?? 1} ${method}`,
    "Contact: <sip:3919209257@203.0.113.5:5061;transport=tls>",
    ...(options.headers ?? []),
    ...(body ? [`Content-Type: ${options.contentType ?? "application/sdp"}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ];
  return parseMessage(Buffer.from(lines.join("\r\n"))) as SipRequest;
}

/** A response of the far side to a request we sent. */
export function reply(
  to: SipRequest,
  status: number,
  reason: string,
  options: { toTag?: string; body?: string } = {},
): SipResponse {
  const body = options.body ?? "";
  const lines = [
    `SIP/2.0 ${status} ${reason}`,
    ...to.headers.getAll("via").map((v) => `Via: ${v}`),
    `From: ${to.headers.get("from")}`,
    `To: ${to.headers.get("to")}${options.toTag ? `;tag=${options.toTag}` : ""}`,
    `Call-ID: ${to.callId}`,
    `CSeq: ${to.cseq.seq} ${to.method}`,
    ...(status >= 200 && status < 300 ? ["Contact: <sip:far@198.51.100.7;transport=ws>"] : []),
    ...(body ? ["Content-Type: application/sdp"] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ];
  return parseMessage(Buffer.from(lines.join("\r\n"))) as SipResponse;
}

export const OFFER = [
  "v=0",
  "o=- 1 1 IN IP4 203.0.113.5",
  "s=-",
  "c=IN IP4 203.0.113.5",
  "t=0 0",
  "m=audio 40000 RTP/AVP 8 0",
  "a=sendrecv",
  "",
].join("\r\n");

export interface SentRequest {
  readonly request: SipRequest;
  readonly connection: SipConnection;
  readonly delegate: ClientTransactionDelegate;
}

/**
 * Every port of the B2BUA's parts over in-memory fakes: a directory of one trunk and its
 * system, registrations set by the test, requests and 2xx kept instead of sent, a frozen
 * timer clock the test advances, and a media engine that has no port free.
 */
export class FakePorts {
  readonly clock = new ControllableClock({ start: START, frozen: true });
  readonly timers = new ControllableClock({ start: START, frozen: true });
  readonly journal = new CallJournal();
  readonly events = new Listeners<CallEventNotice>();
  readonly dialogs = new Map<string, DialogEntry>();
  readonly endpoint = new ConnectorEndpoint("192.0.2.10", 5061);
  readonly domain = "unify.test";
  readonly sent: SentRequest[] = [];
  /** 2xx to INVITEs given to answerInvite (sent too). */
  readonly answered: Array<{ tx: ServerTransaction; response: SipResponse; onAckTimeout?: () => void }> = [];
  readonly ended = new Map<Call, CallOutcome>();
  readonly users = new Map<string, User>();
  readonly systems = new Map<string, PbxSystem>([[SYSTEM.id, SYSTEM]]);
  readonly trunks = new Map<string, Trunk>([[TRUNK.id, TRUNK]]);
  /** Trunk ids and client user ids registered per connection id. */
  readonly trunksOn = new Map<string, string[]>();
  readonly usersOn = new Map<string, string[]>();
  readonly clients = new Map<string, ReachableClient[]>();
  /** The trunk's registered flow, when its PBX is connected. */
  flow: { binding: Binding; connection: SipConnection } | undefined;
  readonly media: Pick<MediaEngine, "createSession"> = {
    createSession: async () => {
      throw new Error("no free port in 40000-40001");
    },
  };
  private readonly hooks = new Map<Call, Array<() => void>>();
  private sequence = 0;

  constructor() {
    for (const u of [user()]) this.users.set(u.id, u);
  }

  dispose(): void {
    this.clock.dispose();
    this.timers.dispose();
  }

  /** The trunk registered over a new TLS connection. */
  trunkConnection(): FakeConnection {
    const connection = new FakeConnection({ reliable: true });
    this.trunksOn.set(connection.id, [TRUNK.id]);
    return connection;
  }

  /** A client of `userId` registered over a new WebSocket; reachable unless told otherwise. */
  clientConnection(userId: string, contact = `sip:${userId}@c${this.clients.size}.invalid;transport=ws`) {
    const connection = new FakeConnection({ reliable: true, protocol: "WSS" });
    this.usersOn.set(connection.id, [...(this.usersOn.get(connection.id) ?? []), userId]);
    const binding: ClientBinding = {
      userId,
      tenantId: "tn_1",
      aor: `sip:${userId}@unify.test`,
      userAgent: null,
      contact,
      contactParams: {},
      callId: `reg-${connection.id}`,
      cseq: 1,
      registeredAt: START,
      expiresAt: START + 300_000,
      connectionId: connection.id,
      transport: "WSS",
      remote: { address: "127.0.0.1", port: 5070 },
    };
    this.clients.set(userId, [...(this.clients.get(userId) ?? []), { binding, connection }]);
    return { connection, binding };
  }

  /** Requests sent with this method, in order. */
  sentOf(method: string): SentRequest[] {
    return this.sent.filter((s) => s.request.method === method);
  }

  noteTypes(call: Call): string[] {
    return call.events.map((e) => e.type);
  }

  // CallDirectory
  trunk = (id: string) => this.trunks.get(id);
  system = (ref: string) => this.systems.get(ref);
  userByNumber = (tenantId: string, phoneNumber: string) =>
    [...this.users.values()].find((u) => u.tenantId === tenantId && u.phoneNumber === phoneNumber);
  user = (id: string) => this.users.get(id);

  // Reachability
  trunksOnConnection = (id: string) => this.trunksOn.get(id) ?? [];
  usersOnConnection = (id: string) => this.usersOn.get(id) ?? [];
  trunkFlow = (_trunkId: string) => this.flow;
  trunkDialogFlow =
    (_trunkId: string): DialogFlow =>
    () =>
      this.flow?.connection;
  clientDialogFlow =
    (_userId: string, _contact: string): DialogFlow =>
    () =>
      undefined;
  reachableClients = (userId: string) => this.clients.get(userId) ?? [];
  clientOn = (userId: string, connectionId: string) =>
    this.clients.get(userId)?.find((c) => c.connection.id === connectionId)?.binding;

  // Signalling
  allow = () => "INVITE, ACK, CANCEL, BYE, UPDATE, INFO, REFER, NOTIFY, OPTIONS";
  send = (request: SipRequest, connection: SipConnection, delegate: ClientTransactionDelegate) => {
    this.sent.push({ request, connection, delegate });
    return { id: `ctx-${this.sent.length}`, request, connection, state: "calling" } as ClientTransaction;
  };
  answerInvite = (tx: ServerTransaction, response: SipResponse, onAckTimeout?: () => void) => {
    this.answered.push({ tx, response, ...(onAckTimeout ? { onAckTimeout } : {}) });
    tx.respond(response);
  };

  // CallRecords
  nextCallId = () => `call-${++this.sequence}`;
  now = () => this.clock.now();
  record = (call: Call) => this.journal.add(call);
  linesInUse = (trunkId: string) => this.journal.linesInUse(trunkId);
  /** Tenants made not functional by a test (their JWT), by tenant id. */
  outages = new Map<string, TenantOutage>();
  tenantOutage = (tenantId: string) => this.outages.get(tenantId);
  note = (call: Call, type: string, detail?: string) => {
    call.event(this.clock.now(), type, detail);
    this.events.emit({
      callId: call.id,
      type,
      at: this.clock.now(),
      ...(detail === undefined ? {} : { detail }),
    });
  };

  // CallEnding
  finish = (call: Call, outcome: CallOutcome) => {
    if (!call.active) return;
    call.state = "ended";
    if (outcome.status !== undefined && call.finalStatus === null) call.finalStatus = outcome.status;
    call.hangupCause = outcome.cause;
    call.endedBy = outcome.by;
    this.ended.set(call, outcome);
    for (const hook of this.hooks.get(call) ?? []) hook();
    this.hooks.delete(call);
    this.journal.end(call);
  };
  whenEnded = (call: Call, cleanup: () => void) => {
    if (!call.active) cleanup();
    else this.hooks.set(call, [...(this.hooks.get(call) ?? []), cleanup]);
  };
  sendByes = (_call: Call, _except?: DialogEntry) => {};
  onCallEvent = (listener: (e: CallEventNotice) => void) => this.events.on(listener);
}
