import { describe, expect, it } from "vitest";
import { catalog, scenarioPerTest } from "../support/scenario-support.js";
import { until } from "../support/until.js";

/** The embedded mock takes the RTP ports right above the emulator's (mockRtpPorts). */
const PORTS = { emulator: { min: 52800, max: 52899 }, mock: { min: 52900, max: 52999 } };
const { start } = scenarioPerTest(PORTS);

interface Connector {
  status: string;
  remote: string | null;
  bindings: number;
}

describe("scenario expert-mode-change with --mock-osbiz", () => {
  it("the PBX registered with the wizard's values, then TLS off in Expert Mode: unavailable, failed handshakes", async () => {
    const hints = catalog.load("expert-mode-change").expect;
    const e = await start({ scenario: "expert-mode-change", mockOsbiz: true });
    expect(e.emulator.mockOsbiz?.summary).toMatch(/^system osbiz-mock of Acme, not registered/);
    expect((await e.connectors("Acme")).map((c) => c.status)).toEqual([hints.connector]);
    await until(
      async () => (await e.diagnose("Acme")).problems.some((p) => p.includes(hints.diagnose![0]!)),
      "diagnose to name the failed TLS handshakes",
    );
    // It was registered before the change: the trace has its 200 and then the dropped connection.
    const trace = (await e.http.admin("GET", "/api/admin/trace?format=text&kind=sip,connection")).text;
    expect(trace).toMatch(/◀──200 OK──/);
    expect(trace).toMatch(/closed/);
  });
});

describe("scenario public-ip-changed with --mock-osbiz", () => {
  it("the registration moves to the new address, the old flow is gone, and calls still reach the PBX", async () => {
    const hints = catalog.load("public-ip-changed").expect;
    const e = await start({ scenario: "public-ip-changed", mockOsbiz: true });
    expect(e.emulator.mockOsbiz?.summary).toMatch(/registered as 3919209257/);
    const connectors = async () => (await e.connectors("Acme")) as unknown as Connector[];
    await until(
      async () => (await connectors())[0]?.remote?.startsWith("127.0.0.2:") === true,
      "the new flow",
    );
    const [connector] = await connectors();
    expect(connector).toMatchObject({ status: hints.connector, bindings: 1 });

    const tenantId = await e.tenantId("Acme");
    const al = (await e.http.admin("GET", `/api/admin/tenants/${tenantId}/users?search=al`)).body.items[0];
    const placed = await e.http.admin("POST", "/api/admin/calls", { fromUser: al.id, to: "+4930123456" });
    expect(placed.status).toBe(201);
    const state = async () => (await e.http.admin("GET", `/api/admin/calls/${placed.body.id}`)).body.state;
    await until(async () => (await state()) === "answered", "the PBX to answer over the new flow");
    expect(e.emulator.mockOsbiz?.mock?.connection?.localAddress).toBe("127.0.0.2");
  });
});
