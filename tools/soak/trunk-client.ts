import dgram from "node:dgram";
import { setTimeout as sleep } from "node:timers/promises";
import type tls from "node:tls";
import { connectTls } from "../lib/net-clients.js";
import type { Rng } from "../lib/rng.js";
import {
  type DialogFields,
  DOMAIN,
  digestAuthorization,
  header,
  inDialogText,
  inviteText,
  param,
  registerText,
  responseTo,
  type WireMessage,
  WireReader,
} from "../lib/sip-wire.js";
import type { ToolTrunk } from "../lib/tool-seed.js";

/** What every trunk client did, summed by the soak. */
export interface SoakCounters {
  connects: number;
  registers: number;
  unregisters: number;
  calls: number;
  callsDropped: number;
  rtpSent: number;
  rtpEchoed: number;
  serverRequests: number;
  /** Unexpected outcomes, with what happened (kept to the first 20). */
  errors: string[];
  errorCount: number;
}

export function newCounters(): SoakCounters {
  return {
    connects: 0,
    registers: 0,
    unregisters: 0,
    calls: 0,
    callsDropped: 0,
    rtpSent: 0,
    rtpEchoed: 0,
    serverRequests: 0,
    errors: [],
    errorCount: 0,
  };
}

export function recordError(counters: SoakCounters, what: string): void {
  counters.errorCount++;
  // Wall-clock time, to find the moment in the emulator's log (pino "time" is epoch ms).
  if (counters.errors.length < 20) counters.errors.push(`${new Date().toISOString().slice(11, 23)} ${what}`);
}

const RESPONSE_TIMEOUT_MS = 15_000;

/**
 * One PBX trunk on one TLS connection, written against the wire like bench/: digest
 * REGISTER (refreshes reuse the nonce with nc+1, RFC 7616 §3.4.5), Expires: 0 removal,
 * and calls to the tenant's virtual user (INVITE, ACK, a few RTP packets, BYE). Requests
 * the emulator sends are answered 200.
 */
export class TrunkClient {
  #socket: tls.TLSSocket | undefined;
  #reader = new WireReader();
  #waiters = new Map<string, (m: WireMessage) => void>();
  #rtp: dgram.Socket | undefined;
  #registerCallId = "";
  #cseq = 1;
  #nonce: { challenge: string; nc: number } | undefined;
  #localPort = 0;

  constructor(
    private readonly target: { sipPort: number; ca: string },
    private readonly trunk: ToolTrunk,
    private readonly callee: string,
    private readonly rng: Rng,
    private readonly counters: SoakCounters,
  ) {}

  get connected(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  async connect(): Promise<void> {
    const socket = await connectTls(this.target.sipPort, this.target.ca, RESPONSE_TIMEOUT_MS);
    this.counters.connects++;
    this.#socket = socket;
    this.#reader = new WireReader();
    this.#localPort = socket.localPort ?? 5061;
    this.#registerCallId = `${this.rng.hex(8)}@127.0.0.1`;
    this.#nonce = undefined;
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => {
      for (const message of this.#reader.push(chunk)) this.#onMessage(message);
    });
    // Waiters belong to their connection: an old one closing late must not wake the new one's.
    const waiters = new Map<string, (m: WireMessage) => void>();
    this.#waiters = waiters;
    socket.on("close", () => {
      for (const wake of waiters.values()) wake({ status: -1, method: "", head: "", body: "" });
      waiters.clear();
    });
    if (!this.#rtp) {
      const rtp = dgram.createSocket("udp4");
      rtp.on("error", () => {});
      rtp.on("message", () => this.counters.rtpEchoed++);
      await new Promise<void>((resolve) => rtp.bind(0, "127.0.0.1", resolve));
      this.#rtp = rtp;
    }
  }

  /** REGISTER (expires > 0) or remove the contact (expires 0); true on 200. */
  async register(expires: number): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const cseq = this.#cseq++;
      const uri = `sip:${DOMAIN}`;
      const authorization = this.#nonce
        ? digestAuthorization(this.#nonce.challenge, {
            user: this.trunk.username,
            password: this.trunk.password,
            method: "REGISTER",
            uri,
            nc: ++this.#nonce.nc,
            cnonce: this.rng.hex(4),
          })
        : undefined;
      const response = await this.#request(
        registerText({
          user: this.trunk.username,
          localPort: this.#localPort,
          transport: "TLS",
          branch: this.rng.hex(8),
          tag: this.rng.hex(4),
          callId: this.#registerCallId,
          cseq,
          expires,
          ...(authorization === undefined ? {} : { authorization }),
        }),
        this.#registerCallId,
        cseq,
      );
      if (response.status === 200) {
        if (expires > 0) this.counters.registers++;
        else this.counters.unregisters++;
        return true;
      }
      if (response.status === 401) {
        this.#nonce = { challenge: header(response.head, "WWW-Authenticate"), nc: 0 };
        continue;
      }
      recordError(this.counters, `REGISTER expires=${expires}: ${statusText(response)}`);
      return false;
    }
    recordError(this.counters, `REGISTER expires=${expires}: still challenged after 3 attempts`);
    return false;
  }

  /**
   * A call to the virtual user: INVITE until 200, ACK, `rtpPackets` PCMU packets 20 ms
   * apart, `holdMs`, then BYE (or, when `drop`, the connection is reset mid-call).
   */
  async call(holdMs: number, rtpPackets: number, drop: boolean): Promise<boolean> {
    const dialog: DialogFields = {
      trunkUser: this.trunk.username,
      localPort: this.#localPort,
      transport: "TLS",
      to: this.callee,
      callId: `${this.rng.hex(8)}@127.0.0.1`,
      fromTag: this.rng.hex(4),
      branch: this.rng.hex(8),
      cseq: 1,
    };
    const rtpPort = (this.#rtp?.address().port as number | undefined) ?? 9;
    const response = await this.#request(inviteText(dialog, rtpPort, this.rng.int(1e9)), dialog.callId, 1);
    if (response.status !== 200) {
      recordError(this.counters, `INVITE: ${statusText(response)}`);
      return false;
    }
    const contact = header(response.head, "Contact");
    const target = /<([^>]+)>/.exec(contact)?.[1] ?? contact;
    const toTag = param(header(response.head, "To"), "tag");
    const established: DialogFields = { ...dialog, ...(toTag === undefined ? {} : { toTag }) };
    this.#socket?.write(inDialogText("ACK", { ...established, branch: this.rng.hex(8) }, target));
    this.counters.calls++;
    const media = /m=audio (\d+)/.exec(response.body);
    if (media && this.#rtp) {
      const ssrc = this.rng.int(2 ** 32);
      for (let i = 0; i < rtpPackets; i++) {
        this.#rtp.send(rtpPacket(i, ssrc), Number(media[1]), "127.0.0.1");
        this.counters.rtpSent++;
        await sleep(20);
      }
    }
    await sleep(holdMs);
    if (drop) {
      this.counters.callsDropped++;
      this.close(true);
      return true;
    }
    const bye = await this.#request(
      inDialogText("BYE", { ...established, branch: this.rng.hex(8), cseq: 2 }, target),
      dialog.callId,
      2,
    );
    if (bye.status !== 200) {
      recordError(this.counters, `BYE: ${statusText(bye)}`);
      return false;
    }
    return true;
  }

  /** Graceful end (FIN) or reset. */
  close(reset: boolean): void {
    if (!this.#socket) return;
    if (reset) this.#socket.destroy();
    else this.#socket.end();
    this.#socket = undefined;
  }

  dispose(): void {
    this.close(true);
    this.#rtp?.close();
    this.#rtp = undefined;
  }

  #request(text: string, callId: string, cseq: number): Promise<WireMessage> {
    const socket = this.#socket;
    if (!socket || socket.destroyed) return Promise.resolve({ status: -1, method: "", head: "", body: "" });
    const key = `${callId} ${cseq}`;
    const waiters = this.#waiters;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiters.delete(key);
        resolve({ status: 0, method: "", head: "", body: "" });
      }, RESPONSE_TIMEOUT_MS);
      waiters.set(key, (message) => {
        clearTimeout(timer);
        waiters.delete(key);
        resolve(message);
      });
      socket.write(text);
    });
  }

  #onMessage(message: WireMessage): void {
    if (message.status === 0) {
      // A request from the emulator (e.g. BYE of a call it ended): answer it.
      this.counters.serverRequests++;
      if (message.method !== "ACK") this.#socket?.write(responseTo(message, 200, "OK"));
      return;
    }
    if (message.status < 200) return;
    const key = `${header(message.head, "Call-ID")} ${Number.parseInt(header(message.head, "CSeq"), 10)}`;
    this.#waiters.get(key)?.(message);
  }
}

function statusText(message: WireMessage): string {
  if (message.status === 0) return `no answer in ${RESPONSE_TIMEOUT_MS} ms`;
  if (message.status === -1) return "connection closed";
  return message.head.slice(0, message.head.indexOf("\r\n"));
}

/** RTP (RFC 3550) with PCMU payload type 0 and 160 bytes of silence. */
function rtpPacket(sequence: number, ssrc: number): Buffer {
  const packet = Buffer.alloc(12 + 160, 0xff);
  packet[0] = 0x80;
  packet[1] = 0;
  packet.writeUInt16BE(sequence & 0xffff, 2);
  packet.writeUInt32BE((sequence * 160) >>> 0, 4);
  packet.writeUInt32BE(ssrc, 8);
  return packet;
}
