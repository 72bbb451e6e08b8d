import { AttributeType } from "../../src/stun/index.js";
import { addressOf, mappedOf, type StunOutcome, StunUdpClient } from "./stun-client.js";

export type MappingResult =
  | "no-nat"
  | "endpoint-independent"
  | "address-dependent"
  | "address-and-port-dependent";
export type FilteringResult = "endpoint-independent" | "address-dependent" | "address-and-port-dependent";

export interface NatClassification {
  readonly mapping: MappingResult;
  readonly filtering: FilteringResult;
  /** The reflexive address of the first Binding (test I). */
  readonly mapped: { readonly address: string; readonly port: number };
}

/**
 * RFC 5780 §4.3 (mapping) and §4.4 (filtering) NAT behaviour discovery against a server
 * at `server` that offers OTHER-ADDRESS. `dropped(transactionId)` tells the classifier
 * that the server kept an answer back (the emulated NAT filtered it): a real client waits
 * for its retransmissions to time out instead; a test must not wait on timers.
 */
export async function classifyNat(
  server: { address: string; port: number },
  dropped: (transactionId: Buffer) => boolean,
): Promise<NatClassification> {
  const outcome = async (client: StunUdpClient, id: Buffer): Promise<StunOutcome> =>
    client.outcome(id, () => dropped(id));
  const answered = async (client: StunUdpClient, id: Buffer) => {
    const result = await outcome(client, id);
    if (result === "dropped") throw new Error("a test the NAT must let through got no answer");
    return result.message;
  };

  // §4.3: mapping, with one client endpoint throughout.
  const m = await StunUdpClient.open();
  let mapping: MappingResult;
  let first: { address: string; port: number };
  try {
    const test1 = await answered(m, await m.send(server));
    const other = addressOf(test1, AttributeType.OtherAddress);
    if (!other) throw new Error("the server offers no OTHER-ADDRESS: behaviour discovery is not possible");
    const x1 = mappedOf(test1);
    first = { address: x1.address, port: x1.port };
    if (x1.address === m.local.address && x1.port === m.local.port) mapping = "no-nat";
    else {
      // Test II: to the other IP, same port.
      const x2 = mappedOf(await answered(m, await m.send({ address: other.address, port: server.port })));
      if (x2.address === x1.address && x2.port === x1.port) mapping = "endpoint-independent";
      else {
        // Test III: to the other IP and the other port.
        const x3 = mappedOf(await answered(m, await m.send(other)));
        mapping =
          x3.address === x2.address && x3.port === x2.port
            ? "address-dependent"
            : "address-and-port-dependent";
      }
    }
  } finally {
    await m.close();
  }

  // §4.4: filtering, from a fresh endpoint that has only talked to the primary address.
  const f = await StunUdpClient.open();
  let filtering: FilteringResult;
  try {
    await answered(f, await f.send(server));
    // Test II: answer from the other IP and port.
    if ((await outcome(f, await f.send(server, { change: { ip: true, port: true } }))) !== "dropped") {
      filtering = "endpoint-independent";
    } else {
      // Test III: answer from the same IP, other port.
      const test3 = await outcome(f, await f.send(server, { change: { ip: false, port: true } }));
      filtering = test3 === "dropped" ? "address-and-port-dependent" : "address-dependent";
    }
  } finally {
    await f.close();
  }
  return { mapping, filtering, mapped: first };
}
