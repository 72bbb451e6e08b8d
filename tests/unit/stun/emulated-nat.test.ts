import { describe, expect, it } from "vitest";
import { EmulatedNat, type NatBehaviour, type TransportAddress } from "../../../src/stun/index.js";

const CLIENT: TransportAddress = { family: "IPv4", address: "10.0.0.5", port: 5000 };
const A1P1: TransportAddress = { family: "IPv4", address: "198.51.100.10", port: 3478 };
const A1P2: TransportAddress = { ...A1P1, port: 3479 };
const A2P1: TransportAddress = { family: "IPv4", address: "198.51.100.20", port: 3478 };
const A2P2: TransportAddress = { ...A2P1, port: 3479 };

function nat(mapping: NatBehaviour, filtering: NatBehaviour = "endpoint-independent", maxMappings?: number) {
  return new EmulatedNat({
    mapping,
    filtering,
    publicAddress: "203.0.113.7",
    firstPort: 40000,
    ...(maxMappings === undefined ? {} : { maxMappings }),
  });
}

/** The public ports one client endpoint gets toward each of the four server endpoints. */
function ports(n: EmulatedNat, client = CLIENT): number[] {
  return [A1P1, A2P1, A2P2, A1P2].map((to) => n.outbound(client, to).publicEndpoint.port);
}

describe("EmulatedNat mapping (RFC 4787 §4.1)", () => {
  it("endpoint-independent: one public port per client endpoint, whatever it talks to", () => {
    const n = nat("endpoint-independent");
    expect(ports(n)).toEqual([40000, 40000, 40000, 40000]);
    expect(n.outbound(CLIENT, A1P1).publicEndpoint).toEqual({
      family: "IPv4",
      address: "203.0.113.7",
      port: 40000,
    });
    expect(n.outbound({ ...CLIENT, port: 5001 }, A1P1).publicEndpoint.port).toBe(40001);
  });

  it("address-dependent: a public port per server IP", () => {
    expect(ports(nat("address-dependent"))).toEqual([40000, 40001, 40001, 40000]);
  });

  it("address-and-port-dependent (symmetric): a public port per server IP and port", () => {
    expect(ports(nat("address-and-port-dependent"))).toEqual([40000, 40001, 40002, 40003]);
  });

  it("keeps a mapping while it is used and forgets the least recently used beyond the limit", () => {
    const n = nat("endpoint-independent", "endpoint-independent", 3);
    for (let port = 1; port <= 3; port++) n.outbound({ ...CLIENT, port }, A1P1);
    n.outbound({ ...CLIENT, port: 1 }, A1P1);
    n.outbound({ ...CLIENT, port: 4 }, A1P1);
    expect(n.size).toBe(3);
    // Port 2 was the least recently used: it is mapped afresh; port 1 kept its mapping.
    expect(n.outbound({ ...CLIENT, port: 1 }, A1P1).publicEndpoint.port).toBe(40000);
    expect(n.outbound({ ...CLIENT, port: 2 }, A1P1).publicEndpoint.port).toBe(40004);
  });

  it("wraps public ports within 1024–65535", () => {
    const n = new EmulatedNat({
      mapping: "address-and-port-dependent",
      filtering: "endpoint-independent",
      publicAddress: "203.0.113.7",
      firstPort: 65535,
    });
    expect(ports(n).slice(0, 2)).toEqual([65535, 1024]);
  });
});

describe("EmulatedNat filtering (RFC 4787 §5)", () => {
  /** After the client sent only to A1P1: which of the four server endpoints get through. */
  function admitted(filtering: NatBehaviour): boolean[] {
    const n = nat("endpoint-independent", filtering);
    const mapping = n.outbound(CLIENT, A1P1);
    return [A1P1, A1P2, A2P1, A2P2].map((from) => n.admits(mapping, from));
  }

  it("endpoint-independent lets anyone through", () => {
    expect(admitted("endpoint-independent")).toEqual([true, true, true, true]);
  });

  it("address-dependent lets through the IPs the client sent to, any port", () => {
    expect(admitted("address-dependent")).toEqual([true, true, false, false]);
  });

  it("address-and-port-dependent lets through only the endpoints the client sent to", () => {
    expect(admitted("address-and-port-dependent")).toEqual([true, false, false, false]);
  });

  it("opens for each endpoint the client sends to through the same mapping", () => {
    const n = nat("endpoint-independent", "address-and-port-dependent");
    n.outbound(CLIENT, A1P1);
    const mapping = n.outbound(CLIENT, A2P2);
    expect(n.admits(mapping, A1P1)).toBe(true);
    expect(n.admits(mapping, A2P2)).toBe(true);
    expect(n.admits(mapping, A2P1)).toBe(false);
  });
});
