import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import {
  AttributeType,
  BINDING_METHOD,
  decodeMappedAddress,
  decodeXorMappedAddress,
  encodeChangeRequest,
  encodeStunMessage,
  parseStunMessage,
  type StunAttribute,
  type StunMessage,
  type TransportAddress,
} from "../../src/stun/index.js";
import { until } from "./until.js";

/** A STUN answer as a client sees it: the message and where it came from. */
export interface StunAnswer {
  readonly message: StunMessage;
  readonly from: { readonly address: string; readonly port: number };
}

/** Either the answer, or "dropped" when `dropped()` says the server kept it back. */
export type StunOutcome = StunAnswer | "dropped";

/**
 * A UDP STUN client on 127.0.0.1: sends Binding requests (RFC 5389, or RFC 3489 with
 * `classic`) and waits for the answer with the same transaction id, from any source
 * address — an RFC 5780 answer may come from the server's other IP or port.
 */
export class StunUdpClient {
  private readonly answers = new Map<string, StunAnswer>();

  private constructor(readonly socket: Socket) {
    socket.on("message", (data, remote) => {
      const parsed = parseStunMessage(data);
      if (!parsed.ok) return;
      const from = { address: remote.address, port: remote.port };
      this.answers.set(parsed.message.transactionId.toString("hex"), { message: parsed.message, from });
    });
  }

  static async open(host = "127.0.0.1"): Promise<StunUdpClient> {
    const socket = createSocket("udp4");
    await new Promise<void>((bound) => socket.bind(0, host, bound));
    return new StunUdpClient(socket);
  }

  get local(): TransportAddress {
    const { address, port } = this.socket.address();
    return { family: "IPv4", address, port };
  }

  /** Sends one Binding request; resolves with its transaction id. */
  async send(
    to: { address: string; port: number },
    options: {
      change?: { ip: boolean; port: boolean };
      classic?: boolean;
      attributes?: StunAttribute[];
    } = {},
  ): Promise<Buffer> {
    const transactionId = randomBytes(options.classic ? 16 : 12);
    const attributes = [...(options.attributes ?? [])];
    if (options.change)
      attributes.push({ type: AttributeType.ChangeRequest, value: encodeChangeRequest(options.change) });
    const data = encodeStunMessage({ method: BINDING_METHOD, class: "request", transactionId, attributes });
    await new Promise<void>((sent, failed) =>
      this.socket.send(data, to.port, to.address, (error) => (error ? failed(error) : sent())),
    );
    return transactionId;
  }

  /**
   * The answer to `transactionId`; "dropped" as soon as `dropped` reports that the server
   * kept the answer back (so a test never waits out a timer to learn there is none).
   */
  async outcome(transactionId: Buffer, dropped: () => boolean = () => false): Promise<StunOutcome> {
    const key = transactionId.toString("hex");
    let result: StunOutcome | undefined;
    await until(() => {
      result = this.answers.get(key) ?? (dropped() ? "dropped" : undefined);
      return result !== undefined;
    }, `the answer to STUN transaction ${key}`);
    return result!;
  }

  async request(
    to: { address: string; port: number },
    options: Parameters<StunUdpClient["send"]>[1] = {},
  ): Promise<StunAnswer> {
    const outcome = await this.outcome(await this.send(to, options));
    if (outcome === "dropped") throw new Error("the answer was dropped");
    return outcome;
  }

  close(): Promise<void> {
    return new Promise((closed) => this.socket.close(() => closed()));
  }
}

export function attributeOf(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((a) => a.type === type)?.value;
}

/** The reflexive address of a success response: XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS (RFC 3489). */
export function mappedOf(message: StunMessage): TransportAddress {
  const xor = attributeOf(message, AttributeType.XorMappedAddress);
  if (xor) return decodeXorMappedAddress(xor, message.transactionId);
  const plain = attributeOf(message, AttributeType.MappedAddress);
  if (!plain) throw new Error("the answer has no mapped address");
  return decodeMappedAddress(plain);
}

/** An address attribute (OTHER-ADDRESS, RESPONSE-ORIGIN, SOURCE-ADDRESS, CHANGED-ADDRESS) decoded, if present. */
export function addressOf(message: StunMessage, type: number): TransportAddress | undefined {
  const value = attributeOf(message, type);
  return value ? decodeMappedAddress(value) : undefined;
}
