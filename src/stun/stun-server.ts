import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { isIPv4 } from "node:net";
import { EvictionCursor } from "../shared/eviction-cursor.js";
import { type BindingCapabilities, bindingSuccess, readBindingRequest } from "./binding-responder.js";
import { EmulatedNat, type EmulatedNatOptions } from "./emulated-nat.js";
import type { TransportAddress } from "./ip-address.js";
import { SourceRateLimit } from "./source-rate-limit.js";
import type { StunMessage } from "./stun-message.js";
import { DEFAULT_TCP_LIMITS, type StunTcpLimits, StunTcpListener } from "./stun-tcp-listener.js";

/** What a fault rule makes of one Binding request (docs/faults.md, `layer: stun`). */
export type StunFault =
  | { readonly type: "no-answer" }
  | { readonly type: "delay"; readonly ms: number }
  | { readonly type: "wrong-mapped-address"; readonly address: string; readonly port?: number }
  /** These requests pass the emulated NAT `nat`; its mappings are kept per `key` (the rule). */
  | { readonly type: "nat"; readonly key: string; readonly nat: EmulatedNatOptions };

export interface StunFaultContext {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly transport: "udp" | "tcp";
  /** An RFC 3489 request (no magic cookie). */
  readonly classic: boolean;
}

export interface StunServerOptions {
  /**
   * Receives "listening", "binding", "error_response", "ignored", "rate_limited" (once per
   * spell of refusals of a source), "nat_filtered", "fault", "socket_error", "send_error" and
   * the TCP events ("tcp_refused", "tcp_idle", "tcp_garbage", "tcp_socket_error", "tcp_error").
   */
  log?: (event: string, detail: object) => void;
  /**
   * Answers per second per source address over UDP (also the largest burst); requests beyond
   * it are dropped silently. 0 or absent: no limit. `now` (monotonic ms) is for tests.
   */
  rateLimit?: { readonly perSecond: number; readonly now?: () => number };
  /** An emulated NAT between the clients and this server; absent: clients are seen as they are. */
  nat?: EmulatedNatOptions;
  /** Asked once per Binding request that would be answered. */
  faults?: (context: StunFaultContext) => StunFault | undefined;
  tcpLimits?: StunTcpLimits;
}

export interface StunListenOptions {
  /** Address of the primary sockets. */
  readonly host: string;
  /** Primary port (0: any free one). */
  readonly port: number;
  /** The primary IP as clients reach it, when `host` is a wildcard (RESPONSE-ORIGIN, OTHER-ADDRESS). */
  readonly advertisedAddress?: string;
  /** A second IP answering on the same ports (RFC 5780 "change IP"); absent or null: none. */
  readonly alternateAddress?: string | null;
  /** A second port on each IP (RFC 5780 "change port"), 0 for any free one; absent or null: none. */
  readonly alternatePort?: number | null;
  /** Also listen for STUN over TCP on the primary address and port. */
  readonly tcp?: boolean;
}

/** Where the server listens, as bound. */
export interface StunEndpoints {
  readonly address: string;
  readonly port: number;
  readonly alternateAddress: string | null;
  readonly alternatePort: number | null;
  readonly tcp: boolean;
}

export interface StunStats {
  /** Requests answered (success or error response), over UDP and TCP. */
  requests: number;
  /** Messages dropped without an answer: not a Binding request we can answer. */
  ignored: number;
  /** Requests dropped without an answer because their source was over its rate. */
  limited: number;
  /** Answers the emulated NAT's filtering kept from the client. */
  filtered: number;
  /** Requests a `no-answer` fault swallowed. */
  faulted: number;
}

/** One UDP socket of the (up to) 2 × 2 grid: primary/alternate IP × primary/alternate port. */
interface Endpoint {
  readonly ip: 0 | 1;
  readonly portIndex: 0 | 1;
  readonly socket: Socket;
  /** As clients see it. */
  readonly advertised: TransportAddress;
}

/** Emulated NATs of fault rules remembered at most (one per rule); the least recently used goes first. */
const MAX_RULE_NATS = 64;

/** Tries of a whole set of ports when the primary port is 0 and a derived one turns out taken. */
const BIND_ATTEMPTS = 8;

/**
 * STUN Binding server: RFC 5389 and RFC 3489 requests over UDP (and TCP on the primary
 * port), RFC 5780 behaviour discovery from a second IP and/or port, and optionally an
 * emulated NAT between the clients and the server.
 */
export class StunServer {
  private readonly log: (event: string, detail: object) => void;
  private readonly counters: StunStats = { requests: 0, ignored: 0, limited: 0, filtered: 0, faulted: 0 };
  private readonly limit: SourceRateLimit | undefined;
  private readonly nat: EmulatedNat | undefined;
  private readonly ruleNats = new Map<string, EmulatedNat>();
  private readonly evictRuleNat = new EvictionCursor(this.ruleNats);
  private readonly timers = new Set<NodeJS.Timeout>();
  private endpoints: Endpoint[] = [];
  private tcp: StunTcpListener | undefined;
  private listening = false;

  constructor(private readonly options: StunServerOptions = {}) {
    this.log = options.log ?? (() => undefined);
    const rate = options.rateLimit;
    if (rate && rate.perSecond > 0) this.limit = new SourceRateLimit(rate);
    if (options.nat) this.nat = new EmulatedNat(options.nat);
  }

  get stats(): StunStats {
    return { ...this.counters };
  }

  async listen(options: StunListenOptions): Promise<StunEndpoints> {
    if (this.listening) throw new Error("the STUN server is already listening");
    this.listening = true;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.bindAll(options);
      } catch (error) {
        await this.closeSockets();
        const retry = options.port === 0 && (error as NodeJS.ErrnoException).code === "EADDRINUSE";
        if (!retry || attempt >= BIND_ATTEMPTS) {
          this.listening = false;
          throw error;
        }
      }
    }
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.closeSockets();
    this.listening = false;
  }

  private async bindAll(options: StunListenOptions): Promise<StunEndpoints> {
    const primaryIp = options.advertisedAddress ?? options.host;
    const alternateIp = options.alternateAddress ?? null;
    const first = await this.bindUdp(0, 0, options.host, options.port, primaryIp);
    const port = first.advertised.port;
    let alternatePort: number | null = null;
    if (options.alternatePort !== undefined && options.alternatePort !== null) {
      alternatePort = (await this.bindUdp(0, 1, options.host, options.alternatePort, primaryIp)).advertised
        .port;
    }
    if (alternateIp !== null) {
      await this.bindUdp(1, 0, alternateIp, port, alternateIp);
      if (alternatePort !== null) await this.bindUdp(1, 1, alternateIp, alternatePort, alternateIp);
    }
    if (options.tcp) {
      const listener = new StunTcpListener(
        { message: (data, client, reply) => this.handleStream(data, client, reply), log: this.log },
        this.options.tcpLimits ?? DEFAULT_TCP_LIMITS,
      );
      this.tcp = listener;
      await listener.listen(options.host, port);
    }
    this.log("listening", { address: primaryIp, port, alternateAddress: alternateIp, alternatePort });
    return {
      address: first.socket.address().address,
      port,
      alternateAddress: alternateIp,
      alternatePort,
      tcp: !!options.tcp,
    };
  }

  private bindUdp(
    ip: 0 | 1,
    portIndex: 0 | 1,
    host: string,
    port: number,
    advertisedIp: string,
  ): Promise<Endpoint> {
    const socket = createSocket({ type: isIPv4(host) ? "udp4" : "udp6" });
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => {
        try {
          socket.close();
        } catch {
          // Already closed by the failed bind.
        }
        reject(error);
      };
      socket.once("error", failed);
      socket.bind({ port, address: host, exclusive: true }, () => {
        socket.off("error", failed);
        // A UDP socket keeps working after most errors (e.g. ICMP feedback): log, never throw.
        socket.on("error", (error) => this.log("socket_error", { message: error.message }));
        const bound = socket.address();
        const advertised: TransportAddress = {
          family: isIPv4(advertisedIp) ? "IPv4" : "IPv6",
          address: advertisedIp,
          port: bound.port,
        };
        const endpoint: Endpoint = { ip, portIndex, socket, advertised };
        socket.on("message", (data, remote) => this.handleDatagram(endpoint, data, remote));
        this.endpoints.push(endpoint);
        resolve(endpoint);
      });
    });
  }

  private async closeSockets(): Promise<void> {
    const endpoints = this.endpoints;
    this.endpoints = [];
    const tcp = this.tcp;
    this.tcp = undefined;
    await Promise.all([
      ...endpoints.map(({ socket }) => new Promise<void>((resolve) => socket.close(() => resolve()))),
      tcp?.close(),
    ]);
  }

  private capabilities(transport: "udp" | "tcp"): BindingCapabilities {
    return {
      alternateIp: this.endpoints.some((e) => e.ip === 1),
      alternatePort: this.endpoints.some((e) => e.portIndex === 1),
      transport,
    };
  }

  private handleDatagram(at: Endpoint, data: Buffer, remote: RemoteInfo): void {
    const client: TransportAddress = { family: remote.family, address: remote.address, port: remote.port };
    const from = `${remote.address}:${remote.port}`;
    const read = safely(() => readBindingRequest(data, this.capabilities("udp")));
    if (read.action === "ignore") {
      this.counters.ignored++;
      this.log("ignored", { from, bytes: data.length, reason: read.reason });
      return;
    }
    const decision = this.limit?.take(remote.address) ?? "allow";
    if (decision !== "allow") {
      this.counters.limited++;
      if (decision === "refuse-first") this.log("rate_limited", { from: remote.address });
      return;
    }
    const send = (response: Buffer, via: Endpoint): void =>
      via.socket.send(response, remote.port, remote.address, (error) => {
        if (error) this.log("send_error", { to: from, message: error.message });
      });
    if (read.action === "error") {
      this.counters.requests++;
      this.log("error_response", { from, code: read.code, detail: read.detail, unknown: read.unknown });
      send(read.response, at);
      return;
    }
    // RFC 5780 §7.2: the answer leaves from the other IP and/or port when asked.
    const via = this.endpoint(
      read.change.ip ? other(at.ip) : at.ip,
      read.change.port ? other(at.portIndex) : at.portIndex,
    );
    this.answer(read.request, client, at, via, "udp", (response) => send(response, via));
  }

  private handleStream(data: Buffer, client: TransportAddress, reply: (response: Buffer) => void): void {
    const from = `${client.address}:${client.port}`;
    const read = safely(() => readBindingRequest(data, this.capabilities("tcp")));
    if (read.action === "ignore") {
      this.counters.ignored++;
      this.log("ignored", { from, bytes: data.length, reason: read.reason, transport: "tcp" });
      return;
    }
    if (read.action === "error") {
      this.counters.requests++;
      this.log("error_response", { from, code: read.code, detail: read.detail, unknown: read.unknown });
      reply(read.response);
      return;
    }
    // Answered as the primary UDP endpoint would (the TCP listener shares its address).
    const primary = this.endpoints.find((e) => e.ip === 0 && e.portIndex === 0);
    if (primary) this.answer(read.request, client, primary, primary, "tcp", reply);
  }

  private answer(
    request: StunMessage,
    client: TransportAddress,
    at: Endpoint,
    via: Endpoint,
    transport: "udp" | "tcp",
    deliver: (response: Buffer) => void,
  ): void {
    const from = `${client.address}:${client.port}`;
    const fault = this.options.faults?.({
      remoteAddress: client.address,
      remotePort: client.port,
      transport,
      classic: request.classic,
    });
    if (fault?.type === "no-answer") {
      this.counters.faulted++;
      this.log("fault", { from, fault: fault.type });
      return;
    }
    let mapped = client;
    const nat = fault?.type === "nat" ? this.ruleNat(fault.key, fault.nat) : this.nat;
    if (nat) {
      const mapping = nat.outbound(client, at.advertised);
      mapped = mapping.publicEndpoint;
      if (transport === "udp" && !nat.admits(mapping, via.advertised)) {
        this.counters.filtered++;
        this.log("nat_filtered", {
          from,
          transactionId: request.transactionId.toString("hex"),
          answerFrom: `${via.advertised.address}:${via.advertised.port}`,
        });
        return;
      }
    }
    if (fault?.type === "wrong-mapped-address") {
      mapped = {
        family: isIPv4(fault.address) ? "IPv4" : "IPv6",
        address: fault.address,
        port: fault.port ?? mapped.port,
      };
    }
    const response = bindingSuccess(request, { mapped, origin: via.advertised, other: this.otherOf(at) });
    this.counters.requests++;
    this.log("binding", {
      from,
      mapped,
      transport,
      classic: request.classic,
      ...(fault ? { fault: fault.type } : {}),
    });
    if (fault?.type !== "delay") {
      deliver(response);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      deliver(response);
    }, fault.ms);
    this.timers.add(timer);
  }

  /** The NAT of a fault rule: kept while the rule (with these options) is in use, so its mappings last. */
  private ruleNat(key: string, options: EmulatedNatOptions): EmulatedNat {
    const id = `${key} ${JSON.stringify(options)}`;
    const nat = this.ruleNats.get(id) ?? new EmulatedNat(options);
    this.ruleNats.delete(id);
    this.ruleNats.set(id, nat);
    if (this.ruleNats.size > MAX_RULE_NATS) this.evictRuleNat.evictOldest();
    return nat;
  }

  /** The endpoint at (ip, port), falling back to the primary one of what is missing. */
  private endpoint(ip: 0 | 1, portIndex: 0 | 1): Endpoint {
    return (
      this.endpoints.find((e) => e.ip === ip && e.portIndex === portIndex) ??
      this.endpoints.find((e) => e.ip === 0 && e.portIndex === 0)!
    );
  }

  /**
   * OTHER-ADDRESS of a request received at `at`: the other IP and the other port. Only a
   * server with both has one (RFC 5780 §6): given an OTHER-ADDRESS on the same IP, a client
   * sends its "other IP" test to the address it already tested and reports a symmetric NAT
   * as endpoint-independent (libre 1.1 does).
   */
  private otherOf(at: Endpoint): TransportAddress | null {
    const { alternateIp, alternatePort } = this.capabilities("udp");
    if (!alternateIp || !alternatePort) return null;
    return this.endpoint(other(at.ip), other(at.portIndex)).advertised;
  }
}

function other(index: 0 | 1): 0 | 1 {
  return index === 0 ? 1 : 0;
}

/** A reader must never break the socket that asked. */
function safely(read: () => ReturnType<typeof readBindingRequest>): ReturnType<typeof readBindingRequest> {
  try {
    return read();
  } catch (error) {
    return { action: "ignore", reason: `cannot answer: ${(error as Error).message}` };
  }
}
