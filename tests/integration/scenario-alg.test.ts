import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { ACME_TRUNK, catalog, scenarioPerTest } from "../support/scenario-support.js";
import { until } from "../support/until.js";

const PORTS = { emulator: { min: 52200, max: 52399 }, mock: { min: 52400, max: 52599 } };
const { withScenario } = scenarioPerTest(PORTS);

let pbx: PbxTestUa | undefined;
let rtp: Socket | undefined;
afterEach(() => {
  pbx?.close();
  rtp?.close();
  pbx = rtp = undefined;
});

interface Connector {
  status: string;
  contact: string | null;
  bindings: number;
}
const portOf = (contact: string | null) => Number(/@127\.0\.0\.2:(\d+)/.exec(contact ?? "")?.[1]);

describe("scenario sip-alg-rewrite", () => {
  it("each refresh binds another public Contact port, and the connector's RTP goes where the PBX is not", async () => {
    const hints = catalog.load("sip-alg-rewrite").expect;
    const e = await withScenario("sip-alg-rewrite");
    pbx = await PbxTestUa.connect(e.emulator, ACME_TRUNK.username, ACME_TRUNK.password);

    expect((await pbx.register()).status).toBe(hints.register?.status);
    const connectors = async () => (await e.connectors("Acme")) as unknown as Connector[];
    const [first] = await connectors();
    expect(first).toMatchObject({ status: hints.connector, bindings: 1 });
    expect(first!.contact).toMatch(/@127\.0\.0\.2:\d+/);

    expect((await pbx.register()).status).toBe(200);
    const [second] = await connectors();
    expect(second!.bindings).toBe(2);
    expect(portOf(second!.contact)).not.toBe(portOf(first!.contact));

    // Al calls a PBX number; the PBX answers with its real address, the ALG rewrites it.
    rtp = createSocket("udp4");
    let received = 0;
    rtp.on("message", () => received++);
    await new Promise<void>((resolve) => rtp!.bind(0, "127.0.0.1", resolve));
    const tenantId = await e.tenantId("Acme");
    const al = (await e.http.admin("GET", `/api/admin/tenants/${tenantId}/users?search=al`)).body.items[0];
    const started = await e.http.admin("POST", "/api/admin/calls", {
      fromUser: al.id,
      to: "+4930123456",
      media: "tone",
    });
    expect(started.status).toBe(201);
    const invite = await pbx.incoming("INVITE");
    pbx.respond(invite, 200, "OK", { sdp: sdpOffer(rtp.address().port), toTag: "callee" });
    await pbx.incoming("ACK", invite.callId);

    const call = async () => (await e.http.admin("GET", `/api/admin/calls/${started.body.id}`)).body;
    await until(async () => (await call()).media?.stats.packetsSent >= 25, "the connector to send RTP");
    // 25 packets (500 ms of audio) went to 127.0.0.2: none of them reached the PBX.
    expect(received).toBe(0);
    expect((await call()).media.stats.packetsReceived).toBe(0);
    const faults = await e.faults();
    expect(faults.find((f) => f.id === "scenario.sip-alg-rewrite.alg-responses")?.hits).toBeGreaterThan(0);
    const trace = (await e.http.admin("GET", "/api/admin/trace?format=text")).text;
    expect(trace).toContain("fault scenario.sip-alg-rewrite.alg-requests at sip.in: alg-rewrite");
  });
});
