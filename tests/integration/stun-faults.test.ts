import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { mappedOf, StunUdpClient } from "../support/stun-client.js";
import { classifyNat } from "../support/stun-nat-classifier.js";
import { until } from "../support/until.js";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let stun: { address: string; port: number };
const clients: StunUdpClient[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: "stun-fault-admin" });
  http = httpClient(emulator);
  stun = { address: "127.0.0.1", port: emulator.ports.stun! };
});
afterAll(async () => {
  await emulator.close();
});
afterEach(async () => {
  expect((await http.admin("DELETE", "/api/admin/faults")).status).toBe(200);
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function client(): Promise<StunUdpClient> {
  const opened = await StunUdpClient.open();
  clients.push(opened);
  return opened;
}

async function addFault(rule: object): Promise<string> {
  const added = await http.admin("POST", "/api/admin/faults", rule);
  expect(added.status, added.text).toBe(201);
  return added.body.id;
}

async function hits(id: string): Promise<number> {
  return (await http.admin("GET", `/api/admin/faults/${id}`)).body.hits;
}

describe("STUN fault rules (layer: stun)", () => {
  it("no-answer swallows the request; the next one is answered", async () => {
    const id = await addFault({ layer: "stun", action: { type: "no-answer" }, when: { firstN: 1 } });
    const udp = await client();
    const swallowed = await udp.send(stun);
    await until(async () => (await hits(id)) === 1, "the rule's hit");
    const answered = await udp.request(stun);
    expect(mappedOf(answered.message)).toEqual(udp.local);
    // Loopback UDP keeps order: an answer to the first request would have come before this one.
    expect(await udp.outcome(swallowed, () => true)).toBe("dropped");
  });

  it("wrong-mapped-address reports the rule's address and port instead of the true ones", async () => {
    await addFault({
      layer: "stun",
      match: { remoteAddress: "127.0.0.1", transport: "udp" },
      action: { type: "wrong-mapped-address", address: "192.0.2.99", port: 1234 },
    });
    const udp = await client();
    const answer = await udp.request(stun);
    expect(mappedOf(answer.message)).toEqual({ family: "IPv4", address: "192.0.2.99", port: 1234 });
    const classic = await udp.request(stun, { classic: true });
    expect(mappedOf(classic.message)).toEqual({ family: "IPv4", address: "192.0.2.99", port: 1234 });
  });

  it("wrong-mapped-address without an address reports 198.51.100.1 with the true port", async () => {
    await addFault({ layer: "stun", action: { type: "wrong-mapped-address" } });
    const udp = await client();
    expect(mappedOf((await udp.request(stun)).message)).toEqual({
      family: "IPv4",
      address: "198.51.100.1",
      port: udp.local.port,
    });
  });

  it("delay holds the answer back: a later request is answered first", async () => {
    const id = await addFault({ layer: "stun", action: { type: "delay", ms: 5000 }, when: { firstN: 1 } });
    const udp = await client();
    const order: string[] = [];
    const delayed = await udp.send(stun);
    const delayedAnswer = udp.outcome(delayed).then(() => order.push("delayed"));
    await until(async () => (await hits(id)) === 1, "the rule's hit");
    await udp.request(stun);
    order.push("prompt");
    await delayedAnswer;
    expect(order).toEqual(["prompt", "delayed"]);
  });

  it("nat puts the matched clients behind an emulated NAT at runtime; removing the rule removes it", async () => {
    const id = await addFault({
      layer: "stun",
      match: { remoteAddress: "127.0.0.1" },
      action: { type: "nat", mapping: "address-and-port-dependent", filtering: "endpoint-independent" },
    });
    const behind = await classifyNat(stun, () => false);
    expect(behind).toMatchObject({
      mapping: "address-and-port-dependent",
      filtering: "endpoint-independent",
    });
    expect(behind.mapped.address).toBe("203.0.113.7");
    // Mapping tests I–III, filtering tests I–II (II is answered: endpoint-independent filtering).
    expect(await hits(id)).toBe(5);
    expect((await http.admin("DELETE", `/api/admin/faults/${id}`)).status).toBe(204);
    expect((await classifyNat(stun, () => false)).mapping).toBe("no-nat");
  });

  it("a stun rule with a bad action is refused with its path", async () => {
    const refused = await http.admin("POST", "/api/admin/faults", {
      layer: "stun",
      action: { type: "wrong-mapped-address", address: "nowhere" },
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/action\.address/);
    const unknown = await http.admin("POST", "/api/admin/faults", {
      layer: "stun",
      action: { type: "explode" },
    });
    expect(unknown.text).toMatch(/no-answer, wrong-mapped-address, delay, nat/);
    const nat = await http.admin("POST", "/api/admin/faults", {
      layer: "stun",
      action: { type: "nat", mapping: "cone" },
    });
    expect(nat.status).toBe(422);
    expect(nat.text).toMatch(/action\.mapping/);
  });
});
