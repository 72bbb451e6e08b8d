import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type NatBehaviour, StunServer } from "../../src/stun/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { classifyNat } from "../support/stun-nat-classifier.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

/** A server with the RFC 5780 grid on 127.0.0.1/127.0.0.2 and two free ports; records filtered answers. */
async function server(nat?: { mapping: NatBehaviour; filtering: NatBehaviour }) {
  const filtered = new Set<string>();
  const stun = new StunServer({
    log: (event, detail) => {
      if (event === "nat_filtered") filtered.add((detail as { transactionId: string }).transactionId);
    },
    ...(nat ? { nat: { ...nat, publicAddress: "203.0.113.7" } } : {}),
  });
  const bound = await stun.listen({
    host: "127.0.0.1",
    port: 0,
    alternateAddress: "127.0.0.2",
    alternatePort: 0,
  });
  cleanup.push(() => stun.close());
  const dropped = (id: Buffer) => filtered.has(id.toString("hex"));
  return { stun, bound, dropped };
}

const BEHAVIOURS: readonly NatBehaviour[] = [
  "endpoint-independent",
  "address-dependent",
  "address-and-port-dependent",
];

describe("an RFC 5780 §4.3/§4.4 classifier against the emulated NAT", () => {
  it("sees no NAT (and nothing filtered) without one", async () => {
    const { bound, dropped } = await server();
    const result = await classifyNat({ address: "127.0.0.1", port: bound.port }, dropped);
    expect(result.mapping).toBe("no-nat");
    expect(result.filtering).toBe("endpoint-independent");
    expect(result.mapped.address).toBe("127.0.0.1");
  });

  for (const mapping of BEHAVIOURS) {
    for (const filtering of BEHAVIOURS) {
      it(`reports ${mapping} mapping and ${filtering} filtering as configured`, async () => {
        const { stun, bound, dropped } = await server({ mapping, filtering });
        const result = await classifyNat({ address: "127.0.0.1", port: bound.port }, dropped);
        expect(result).toMatchObject({ mapping, filtering });
        expect(result.mapped.address).toBe("203.0.113.7");
        const expectedDrops = {
          "endpoint-independent": 0,
          "address-dependent": 1,
          "address-and-port-dependent": 2,
        };
        expect(stun.stats.filtered).toBe(expectedDrops[filtering]);
      });
    }
  }
});

describe("the emulator's --stun-nat", () => {
  it("makes the PBX's NAT check see a symmetric NAT behind 203.0.113.7 (Device@Home: 'reports Symmetric NAT')", async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: "debug" },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const emulator = await startTestEmulator({ stunNat: "address-and-port-dependent", logger });
    cleanup.push(() => emulator.close());
    const dropped = (id: Buffer) =>
      lines.some((line) => line.includes("stun: nat_filtered") && line.includes(id.toString("hex")));
    const result = await classifyNat({ address: "127.0.0.1", port: emulator.ports.stun! }, dropped);
    expect(result).toMatchObject({
      mapping: "address-and-port-dependent",
      filtering: "address-and-port-dependent",
    });
    expect(result.mapped.address).toBe("203.0.113.7");
  });

  it("endpoint-independent mapping with its own filtering and public address", async () => {
    const emulator = await startTestEmulator({
      stunNat: "endpoint-independent",
      stunNatFiltering: "endpoint-independent",
      stunPublicAddress: "192.0.2.44",
    });
    cleanup.push(() => emulator.close());
    const result = await classifyNat({ address: "127.0.0.1", port: emulator.ports.stun! }, () => false);
    expect(result).toEqual({
      mapping: "endpoint-independent",
      filtering: "endpoint-independent",
      mapped: { address: "192.0.2.44", port: expect.any(Number) },
    });
  });
});
