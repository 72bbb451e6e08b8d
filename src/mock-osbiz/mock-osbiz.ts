import { MediaEngine, type MediaMode } from "../media/index.js";
import type { SystemJson, WizardUserJson } from "../rest-client/index.js";
import { type Clock, SystemClock } from "../shared/clock.js";
import { newCallId } from "../shared/ids.js";
import { dialogKeyOfIncoming } from "../sip/dialog/index.js";
import { createResponse, type SipRequest } from "../sip/message/index.js";
import { type ServerTransaction, TransactionLayer } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import { CstaServer } from "./csta-server.js";
import { deviceNumber } from "./csta-services.js";
import { type DeskPhone, DeskPhones } from "./desk-phone.js";
import {
  type IncomingCallContext,
  type PendingInvite,
  receiveInvite,
  refuseInvite,
} from "./incoming-call.js";
import { MockMailbox } from "./mailbox.js";
import { MockCall } from "./mock-call.js";
import { MockEndpoint } from "./mock-endpoint.js";
import {
  checkDrift,
  type ExpertModeDrift,
  type MockNumbering,
  type MockOsbizOptions,
  type ResolvedMockOptions,
  resolveMockOptions,
} from "./mock-options.js";
import { startOutgoingCall } from "./outgoing-call.js";
import { PbxGate } from "./pbx-gate.js";
import { PbxRefusedError, warnAgent } from "./pbx-refusal.js";
import { PbxSwitch, type ReferOutcome, type TrunkLeg } from "./pbx-switch.js";
import {
  describeUser,
  extensionOf,
  type MockPbxUser,
  type MockPbxUserInput,
  MockWizardError,
  PbxUserDirectory,
  userNumber,
} from "./pbx-users.js";
import { provisionSystem } from "./provision.js";
import { Registration } from "./registration.js";
import { outsideDialogResponse } from "./responses.js";
import { RtpChannelPool, type RtpChannelUse, type RtpLoad } from "./rtp-channels.js";
import { TrunkLink } from "./trunk-link.js";
import { TypedListeners } from "./typed-listeners.js";
import { type ConnectorApi, createCloudUser } from "./user-wizard.js";

export interface MockOsbizEvents {
  /** A REGISTER succeeded: the first, a refresh, or one after reconnecting. */
  registered: { expires: number };
  /** The binding is gone: connection lost, refresh refused, or stop(). */
  unregistered: { reason: string };
  /** The connector calls a PBX user; the behaviour acts right after the listeners ran. */
  incoming: MockCall;
  "call-ended": MockCall;
  /** A REFER on a trunk call was carried out (or failed): its final NOTIFY status. */
  referred: ReferOutcome;
}

const IN_DIALOG_METHODS = new Set(["BYE", "INVITE", "UPDATE", "INFO", "NOTIFY", "OPTIONS", "REFER"]);
/** Ended calls kept in `calls` (oldest go first), so a long-running mock does not grow forever. */
const KEPT_ENDED_CALLS = 500;
const UNREGISTER_TIMEOUT_MS = 5000;
const NUMBER = /^\+?[0-9A-Za-z*#._-]+$/;

/**
 * An OpenScape Business stand-in (issue 4 §9): provisions its system over REST like the
 * connectivity wizard, registers the trunk over one TLS connection (digest, refresh before
 * expiry, keep-alive, reconnect with backoff), answers the connector's calls per its
 * behaviour, places calls on request and exchanges RTP through its own media engine.
 */
export class MockOsbiz {
  private readonly listeners: TypedListeners<MockOsbizEvents>;
  private readonly transactions: TransactionLayer;
  private readonly link: TrunkLink;
  private readonly registration: Registration;
  private readonly ctx: IncomingCallContext;
  private readonly pending = new Map<string, PendingInvite>();
  private readonly allCalls: MockCall[] = [];
  private readonly mailboxes = new Map<string, MockMailbox>();
  private engine: MediaEngine | undefined;
  private sequence = 0;
  private stopping: Promise<void> | undefined;
  private readonly gate: PbxGate;
  private readonly desks: DeskPhones;
  private readonly csta: CstaServer;
  private readonly switch: PbxSwitch;
  /** The SIP domain in use: the wizard's, or an Expert Mode drift's. */
  private domain: string;
  /** The REGISTER after the latest (re)connection: true when it succeeded. */
  private registering: Promise<boolean> | undefined;

  private constructor(
    private readonly options: ResolvedMockOptions,
    /** The provisioning answer: trunk id, SIP credentials, where to register. */
    readonly system: SystemJson,
    directory: PbxUserDirectory,
    private readonly api: ConnectorApi,
    private readonly timers: Clock,
  ) {
    const { sip } = system;
    const ca = api.ca;
    this.domain = sip.domain;
    const pool = new RtpChannelPool(options.rtpChannels.total);
    if (options.rtpChannels.busy > 0) pool.occupy(options.rtpChannels.busy, "itsp");
    this.gate = new PbxGate(directory, pool, () => this.numbering());
    const mock = this;
    const log = options.log;
    this.listeners = new TypedListeners((error) => log(`an event listener failed: ${String(error)}`));
    this.transactions = new TransactionLayer({
      clock: timers,
      user: {
        onRequest: (tx) => this.onRequest(tx),
        onAck: (ack) => this.findCall(ack)?.acknowledged(ack),
        onCancel: (tx) => this.pending.get(tx.id)?.cancelled(),
      },
    });
    const endpoint = new MockEndpoint(sip.username);
    this.desks = new DeskPhones(
      (callno) => this.gate.users.get(callno) !== undefined,
      (error) => log(`a desk-phone listener failed: ${String(error)}`),
    );
    this.csta = new CstaServer({
      phones: this.desks,
      resolve: (device) => this.gate.users.resolve(deviceNumber(device), this.numbering())?.callno,
      transactions: this.transactions,
      endpoint,
      log,
    });
    this.ctx = {
      transactions: this.transactions,
      endpoint,
      timers,
      get domain() {
        return mock.domain;
      },
      user: sip.username,
      log,
      ended: (call) => this.callEnded(call),
      flow: () => this.link.connection,
      createMedia: (mode) => this.media().createSession({ mode }),
      incoming: (call) => {
        this.track(call);
        this.listeners.emit("incoming", call);
      },
      refer: (call, tx) => this.switch.refers.refer(call, tx),
    };
    this.switch = new PbxSwitch({
      desks: this.desks,
      userOf: (number) => this.gate.users.resolve(number, this.numbering())?.callno,
      numberOf: (callno) => userNumber(callno, this.numbering()),
      extensionOf: (number) => extensionOf(number, this.numbering()),
      place: (to, from, place) => this.placeCall(to, from, place?.media, place?.headers),
      calls: () => this.allCalls,
      domain: () => this.domain,
      timers,
      log,
      unplaced: (from, to, status, reason, cause) => {
        const call = new MockCall(this.ctx, this.nextId(), "outgoing", from, to, newCallId());
        this.track(call);
        call.end(cause, "local", status, reason);
        return call;
      },
      referred: (outcome) => this.listeners.emit("referred", outcome),
      noAnswerMs: options.noAnswerMs,
    });
    this.switch.refers.enabled = options.refer;
    this.link = new TrunkLink(
      { host: sip.host, port: sip.port, domain: sip.domain, ...(ca === undefined ? {} : { ca }) },
      {
        onMessage: (message, connection) => {
          if (message.kind === "request") this.transactions.receiveRequest(message, connection);
          else this.transactions.receiveResponse(message, connection);
        },
        onReconnected: (connection) => this.reconnected(connection),
        onClosed: (connection, reason) => this.connectionClosed(connection, reason),
      },
      { timers, keepAliveMs: options.keepAliveMs, reconnect: options.reconnect, log },
    );
    this.registration = new Registration({
      transactions: this.transactions,
      timers,
      endpoint,
      user: sip.username,
      password: sip.password,
      domain: sip.domain,
      expires: options.expires ?? sip.registerInterval,
      margin: options.reregisterMargin,
      onRefreshed: (granted) => this.registeredFor(granted, "re-registered"),
      onRefreshFailed: (error) => {
        this.listeners.emit("unregistered", { reason: `refresh failed: ${error.message}` });
        this.link.drop(`re-registration failed: ${error.message}`);
      },
    });
  }

  /** Provision, connect, register; rejects when any of them fails (nothing is left running). */
  static async start(options: MockOsbizOptions): Promise<MockOsbiz> {
    const resolved = resolveMockOptions(options);
    const directory = new PbxUserDirectory(resolved.model);
    // The user wizard's limit holds before anything is provisioned.
    directory.checkRoom(options.users?.length ?? 0);
    for (const user of options.users ?? []) directory.add(user);
    const system = await provisionSystem(options, resolved);
    if (options.users?.length)
      resolved.log(
        `${options.users.length} Unify Phone user(s) on the PBX; an OpenScape Business ${resolved.model} takes ${directory.limit}`,
      );
    const api = { url: options.url, apiKey: options.apiKey, ca: options.ca };
    const mock = new MockOsbiz(resolved, system, directory, api, options.clock ?? new SystemClock());
    try {
      const connection = await mock.link.connect().catch((error: Error) => {
        throw new Error(`cannot connect to ${system.sip.host}:${system.sip.port} over TLS: ${error.message}`);
      });
      mock.connected(connection, "connected");
      mock.media();
      await mock.register(connection);
    } catch (error) {
      await mock.stop();
      throw error;
    }
    // The drift comes after the wizard's configuration worked, as an Expert Mode edit does.
    if (resolved.expertMode) await mock.applyExpertModeChange(resolved.expertMode);
    return mock;
  }

  /** True while the trunk holds a binding on an open connection. */
  get registered(): boolean {
    return this.registration.expires !== null && this.link.connection !== undefined;
  }

  /** The TLS connection to the connector, while open. */
  get connection(): SipConnection | undefined {
    return this.link.connection;
  }

  /** Active and ended calls, oldest first. */
  get calls(): readonly MockCall[] {
    return [...this.allCalls];
  }

  on<K extends keyof MockOsbizEvents>(name: K, listener: (payload: MockOsbizEvents[K]) => void): () => void {
    return this.listeners.on(name, listener);
  }

  /**
   * A PBX user calls `to` through the trunk: INVITE `sip:<to>@<domain>` From the trunk user
   * (or `fromCallno`). Resolves once answered; rejects with CallFailedError on a final
   * non-2xx. The call is in `calls` from the start, so it can be hung up while ringing.
   * When `to` is a user with a desk phone, the desk phone rings too (twinning): answered
   * there first, the trunk leg is CANCELled and the call resolves with it (docs/mock-osbiz.md).
   */
  async call(to: string, options: { fromCallno?: string; media?: MediaMode } = {}): Promise<MockCall> {
    if (this.stopping) throw new Error("the mock OSBiz is stopped");
    const from = options.fromCallno ?? this.system.sip.username;
    if (!NUMBER.test(to) || !NUMBER.test(from))
      throw new RangeError(`not a dialable number: "${to}" from "${from}"`);
    if (!this.link.connection || !this.registered) throw new Error("not registered: no call can be placed");
    return this.switch.call(to, from, options.media === undefined ? {} : { media: options.media });
  }

  /** Whether REFER inside trunk calls is taken (false: 501, for the connector's local-bridge fallback). */
  get referEnabled(): boolean {
    return this.switch.refers.enabled;
  }

  set referEnabled(on: boolean) {
    this.switch.refers.enabled = on;
    this.options.log(`REFER ${on ? "taken" : "refused with 501"}`);
  }

  /** One trunk leg: the users' checks, an RTP channel, media, then the INVITE. */
  private async placeCall(
    to: string,
    from: string,
    mode?: MediaMode,
    headers?: Record<string, string>,
  ): Promise<TrunkLeg> {
    if (this.stopping) throw new Error("the mock OSBiz is stopped");
    const connection = this.link.connection;
    if (!connection || !this.registered) throw new Error("not registered: no call can be placed");
    const admitted = this.gate.admit([from, to]);
    if ("refusal" in admitted) {
      const { status, reason, warning } = admitted.refusal;
      this.options.log(`call to ${to} from ${from} not placed: ${status} ${reason} (${warning})`);
      throw new PbxRefusedError(admitted.refusal);
    }
    const { release } = admitted;
    let media: Awaited<ReturnType<MediaEngine["createSession"]>>;
    try {
      media = await this.media().createSession({ mode: mode ?? this.options.behaviour.media });
    } catch (error) {
      release();
      throw error;
    }
    const leg = startOutgoingCall(this.ctx, {
      id: this.nextId(),
      from,
      to,
      connection,
      media,
      ...(headers === undefined ? {} : { headers }),
    });
    this.gate.hold(leg.call, release);
    this.track(leg.call);
    return leg;
  }

  /**
   * The virtual desk phone of user `callno` (issue 15 §6): ring, answer, hold, DND, forwarding…
   * Its changes go as CSTA events to the connector's monitors. DeskPhoneError for a non-user.
   */
  deskPhone(callno: string): DeskPhone {
    return this.desks.get(callno);
  }

  /** Every desk-phone change, as the CSTA server sees it. */
  onDeskPhoneEvent(listener: Parameters<DeskPhones["on"]>[0]): () => void {
    return this.desks.on(listener);
  }

  /** The connector's open CSTA sessions (uaCSTA dialogs) and what each monitors. */
  get cstaSessions(): readonly { id: string; monitors: ReadonlyMap<string, string> }[] {
    return this.csta.open.map((s) => ({ id: s.id, monitors: s.monitored }));
  }

  /** A user's voicemail box: `mailbox("2131").set({ new: 2, old: 5 })` NOTIFYs the connector (docs/mwi.md). */
  mailbox(callno: string): MockMailbox {
    let box = this.mailboxes.get(callno);
    if (!box) {
      const mock = this;
      box = new MockMailbox(callno, {
        transactions: this.transactions,
        endpoint: this.ctx.endpoint,
        get domain() {
          return mock.domain;
        },
        numbering: this.system.numbering as MockNumbering | undefined,
        connection: () => (this.registered ? this.link.connection : undefined),
      });
      this.mailboxes.set(callno, box);
    }
    return box;
  }

  /** The PBX's Unify Phone users. */
  users(): readonly MockPbxUser[] {
    return this.gate.users.list();
  }

  /** The user wizard adds a user on the PBX; MockWizardError (naming the model's limit) when full. */
  addUser(user: MockPbxUserInput): void {
    const added = this.gate.users.add(user);
    this.options.log(`added ${describeUser(added)}`);
  }

  /** Edit a user: licence, Trusted External User, route flag, names. */
  updateUser(callno: string, patch: Partial<MockPbxUserInput>): void {
    const user = this.gate.users.update(callno, patch);
    this.options.log(`changed ${describeUser(user)}`);
  }

  /** Remove a user from the PBX (the cloud keeps it). */
  removeUser(callno: string): void {
    this.gate.users.remove(callno);
    this.options.log(`user ${callno} removed`);
  }

  /**
   * The user wizard's "Create" in the cloud: adds the user on the PBX (the model's limit
   * holds) and creates it in the cloud over the connector API — or, when the cloud has a user
   * with that e-mail already, assigns that one ("Add"). Needs e-mail, first and last name.
   */
  async createUser(user: MockPbxUserInput): Promise<WizardUserJson> {
    this.gate.users.checkRoom(1);
    if (this.gate.users.get(user.callno))
      throw new MockWizardError(`callno ${user.callno} is already a user`);
    const { cloud, created } = await createCloudUser(this.api, this.options.systemId, user);
    this.addUser(user);
    this.options.log(`user ${user.callno} ${created ? "created" : "assigned"} in the cloud as ${cloud.id}`);
    return cloud;
  }

  /** Simulated ITSP or Device@Home calls take `n` RTP proxy channels (RangeError when fewer are free). */
  occupyRtpChannels(n: number, kind: RtpLoad): void {
    this.gate.channels.occupy(n, kind);
    this.options.log(
      `${n} RTP channel(s) taken by ${kind} calls (${this.gate.channels.free} of ${this.gate.channels.total} free)`,
    );
  }

  releaseRtpChannels(n: number, kind: RtpLoad): void {
    this.gate.channels.release(n, kind);
    this.options.log(
      `${n} RTP channel(s) released by ${kind} calls (${this.gate.channels.free} of ${this.gate.channels.total} free)`,
    );
  }

  rtpChannelsInUse(): RtpChannelUse {
    return this.gate.channels.use();
  }

  /**
   * Someone edits the trunk in Expert Mode: the connection closes and the mock reconnects and
   * registers with the drifted configuration (a `{}` field keeps its value; the wizard's values
   * return with `{registrarPort: <provisioned>, domain: <provisioned>, transport: "tls"}`).
   * Resolves once the first attempt is over, registered or not; failed attempts go on with
   * the reconnection backoff, as after any loss.
   */
  async applyExpertModeChange(drift: ExpertModeDrift): Promise<void> {
    checkDrift(drift);
    const { sip } = this.system;
    const changes = Object.entries(drift)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ${v}`);
    this.options.log(`Expert Mode change: ${changes.join(", ") || "nothing"}`);
    if (drift.domain !== undefined) {
      this.domain = drift.domain;
      this.registration.useDomain(drift.domain);
    }
    this.registering = undefined;
    const result = await this.link.retarget({
      ...(drift.registrarPort === undefined ? {} : { port: drift.registrarPort }),
      ...(drift.transport === undefined ? {} : { transport: drift.transport }),
    });
    if (result instanceof Error) {
      const { host, port } = this.link.to;
      this.options.log(
        `cannot connect to ${host}:${port} (${sip.domain} expected at port ${sip.port}): ${result.message}`,
      );
      return;
    }
    await this.registering;
  }

  /**
   * The public address changed (DSL reconnect, DynDNS): a new connection from `localAddress`
   * registers, then the old flow dies. The connector moves the calls to the new flow.
   */
  async changePublicAddress(localAddress: string): Promise<void> {
    if (this.stopping) throw new Error("the mock OSBiz is stopped");
    const { connection, old } = await this.link.moveTo(localAddress);
    this.connected(connection, "reconnected from a new address");
    try {
      await this.register(connection);
    } catch (error) {
      const reason = `registration from ${localAddress} failed: ${(error as Error).message}`;
      // The link reconnects from the new address with its backoff; the old flow is dead anyway.
      connection.close(reason);
      old?.close("public address changed");
      this.listeners.emit("unregistered", { reason });
      throw error;
    }
    old?.close("public address changed");
  }

  /** Hang up every call, unregister (Expires: 0), close the connection and the RTP sockets. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    await Promise.all(this.allCalls.filter((c) => c.active).map((c) => c.hangup()));
    if (this.registered) {
      try {
        await this.withTimeout(this.registration.unregister(), UNREGISTER_TIMEOUT_MS);
        this.options.log(`unregistered ${this.system.sip.username}`);
      } catch (error) {
        this.options.log(`unregistering failed: ${(error as Error).message}`);
      }
      this.listeners.emit("unregistered", { reason: "stopped" });
    }
    this.registration.lost();
    this.csta.closeAll("the mock OSBiz stopped");
    this.link.close();
    this.transactions.close();
    await this.engine?.close();
    this.options.log("stopped");
  }

  private connected(connection: SipConnection, what: string): void {
    const { sip } = this.system;
    this.options.log(
      `${what} to ${sip.host}:${sip.port} over TLS (local ${connection.localAddress}:${connection.localPort})`,
    );
  }

  private async register(connection: SipConnection): Promise<void> {
    this.registeredFor(await this.registration.register(connection), "registered");
  }

  private registeredFor(granted: number, what: string): void {
    this.link.healthy();
    const refresh = Math.round(granted * (1 - this.options.reregisterMargin) * 10) / 10;
    const digest = this.registration.algorithm ? `digest ${this.registration.algorithm}` : "no digest";
    this.options.log(
      `${what} ${this.system.sip.username} for ${granted} s (${digest}), refresh in ${refresh} s`,
    );
    this.listeners.emit("registered", { expires: granted });
  }

  private reconnected(connection: SipConnection): void {
    this.connected(connection, "reconnected");
    this.registering = this.register(connection).then(
      () => true,
      (error: Error) => {
        this.options.log(`registration failed: ${error.message}`);
        if (connection.open) connection.close(`registration failed: ${error.message}`);
        return false;
      },
    );
  }

  private connectionClosed(connection: SipConnection, reason: string): void {
    const current = this.link.connection;
    if (current && current !== connection) {
      // A flow replaced by a new one (new public address): its calls and binding moved on.
      this.transactions.connectionClosed(connection);
      this.options.log(`old connection closed: ${reason}`);
      return;
    }
    const wasRegistered = this.registration.expires !== null;
    this.registration.lost();
    this.csta.closeAll(`connection lost: ${reason}`);
    this.transactions.connectionClosed(connection);
    for (const call of this.allCalls) {
      if (call.active) call.end(`connection to the connector lost: ${reason}`, "network");
    }
    if (this.stopping) return;
    this.options.log(`connection lost: ${reason}`);
    if (wasRegistered) this.listeners.emit("unregistered", { reason: `connection lost: ${reason}` });
  }

  private onRequest(tx: ServerTransaction): void {
    const request = tx.request;
    const method = request.method;
    if (request.to.params.tag) {
      const session = this.csta.find(request);
      if (session) {
        this.csta.receive(tx, session);
        return;
      }
      const call = this.findCall(request);
      if (!call) tx.respond(createResponse(request, 481, "Call/Transaction Does Not Exist"));
      else if (!IN_DIALOG_METHODS.has(method)) tx.respond(outsideDialogResponse(request));
      else call.receive(tx);
      return;
    }
    if (method !== "INVITE") {
      tx.respond(outsideDialogResponse(request));
    } else if (this.stopping) {
      tx.respond(createResponse(request, 503, "Service Unavailable: the mock OSBiz is stopping"));
    } else if (CstaServer.wants(request)) {
      this.csta.accept(tx);
    } else {
      this.receive(tx);
    }
  }

  /** An INVITE from the connector: the users' checks, an RTP channel, then the behaviour. */
  private receive(tx: ServerTransaction): void {
    const request = tx.request;
    // The Request-URI names the callee ("number" mode) or the trunk's contact ("contact" mode, the callee in To).
    const admitted = this.gate.admit([
      request.from.uri.user ?? "",
      request.requestUri.user ?? "",
      request.to.uri.user ?? "",
    ]);
    if ("refusal" in admitted) {
      const agent = warnAgent(this.options.systemId);
      refuseInvite(this.ctx, tx, this.nextId(), admitted.refusal, agent, (call) => this.track(call));
      return;
    }
    // The callee's desk phone is the PBX end of the call (rings, answers, is busy).
    const callee = [request.requestUri.user, request.to.uri.user]
      .map((n) => (n === undefined ? undefined : this.gate.users.resolve(n, this.numbering())?.callno))
      .find((n) => n !== undefined);
    const desk =
      callee === undefined ? undefined : this.switch.incoming(request.from.uri.user ?? "anonymous", callee);
    const pending = receiveInvite(this.ctx, tx, this.nextId(), this.options.behaviour, desk?.hooks);
    desk?.bind(pending);
    if (desk?.refusal) pending.decline(desk.refusal.status, desk.refusal.reason, desk.refusal.cause);
    this.gate.hold(pending.call, admitted.release);
    if (pending.call.active) this.pending.set(tx.id, pending);
  }

  private findCall(request: SipRequest): MockCall | undefined {
    const key = dialogKeyOfIncoming(request);
    return key === undefined ? undefined : this.allCalls.find((c) => c.active && c.dialogKey === key);
  }

  private track(call: MockCall): void {
    this.allCalls.push(call);
  }

  private callEnded(call: MockCall): void {
    this.gate.ended(call);
    for (const [id, pending] of this.pending) if (pending.call === call) this.pending.delete(id);
    let ended = this.allCalls.filter((c) => !c.active).length;
    for (let i = 0; i < this.allCalls.length && ended > KEPT_ENDED_CALLS; ) {
      if (this.allCalls[i]!.active) i++;
      else {
        this.allCalls.splice(i, 1);
        ended--;
      }
    }
    this.listeners.emit("call-ended", call);
  }

  /** The RTP engine, made on first use: SDP names the address our TLS connection leaves from. */
  private media(): MediaEngine {
    if (!this.engine) {
      const { rtp } = this.options;
      const host = rtp.host ?? this.link.connection?.localAddress ?? "127.0.0.1";
      this.engine = new MediaEngine({ host, bind: rtp.bind, portRange: rtp.portRange });
    }
    return this.engine;
  }

  private numbering(): MockNumbering | undefined {
    return this.system.numbering as MockNumbering | undefined;
  }

  private nextId(): string {
    return String(++this.sequence);
  }

  private withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = this.timers.setTimer(ms, () => reject(new Error(`no answer within ${ms / 1000} s`)));
      promise.then(
        (value) => {
          this.timers.clearTimer(timer);
          resolve(value);
        },
        (error: unknown) => {
          this.timers.clearTimer(timer);
          reject(error);
        },
      );
    });
  }
}
