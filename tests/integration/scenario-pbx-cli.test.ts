import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli-process.js";
import { scenarioPerTest } from "../support/scenario-support.js";
import { until } from "../support/until.js";

const PORTS = { emulator: { min: 53000, max: 53099 }, mock: { min: 53100, max: 53199 } };
const { withScenario } = scenarioPerTest(PORTS);
const ENTRY = path.join(import.meta.dirname, "../support/mock-osbiz-cli-entry.ts");

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe("PBX-side scenarios from the command line", () => {
  it("one command: --scenario no-licence --mock-osbiz starts the emulator and its PBX, and the banner says so", async () => {
    const cli = spawnCli([
      "--ephemeral",
      "--admin-token",
      "cli-admin",
      "--bind",
      "127.0.0.1",
      "--host",
      "127.0.0.1",
      "--sip-port",
      "0",
      "--https-port",
      "0",
      "--stun-port",
      "0",
      "--rtp-ports",
      // The embedded mock takes the block above: 53300-53399.
      "53200-53299",
      "--scenario",
      "no-licence",
      "--mock-osbiz",
    ]);
    stops.push(() => cli.child.kill("SIGKILL"));
    await cli.ready();
    expect(cli.output()).toMatch(
      /mock OSBiz {5}system osbiz-mock of Acme, registered as 3919209257 \(scenario no-licence\)/,
    );
  });

  it("mock-osbiz --scenario rtp-channels-exhausted: the scenario's key, system and channel load, actions included", async () => {
    const e = await withScenario("rtp-channels-exhausted");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        ENTRY,
        "--scenario",
        "rtp-channels-exhausted",
        "--url",
        e.emulator.urls.https,
        "--ca",
        e.emulator.certificates.caCertPath!,
        "--rtp-bind",
        "127.0.0.1",
        "--rtp-ports",
        `${PORTS.mock.min}-${PORTS.mock.max}`,
      ],
      { stdio: "pipe" },
    );
    stops.push(() => child.kill("SIGKILL"));
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    // The action runs as the mock starts; "ready:" is printed after it, once the CLI is set up.
    await until(
      () =>
        (/scenario action: 20 RTP proxy channels taken by device-at-home calls/.test(out) &&
          /ready: .* registered/.test(out)) ||
        child.exitCode !== null,
      () => `the scenario's action, then ready:\n${out}`,
      20_000,
    );
    expect(out).toMatch(/scenario action: 20 RTP proxy channels taken by device-at-home calls/);
    expect(out).toMatch(/ready: .* registered/);
    expect((await e.connectors("Acme")).map((c) => c.status)).toEqual(["available"]);

    const tenantId = await e.tenantId("Acme");
    const al = (await e.http.admin("GET", `/api/admin/tenants/${tenantId}/users?search=al`)).body.items[0];
    const placed = await e.http.admin("POST", "/api/admin/calls", { fromUser: al.id, to: "+4930123456" });
    const entry = async () => (await e.http.admin("GET", `/api/admin/calls/${placed.body.id}`)).body;
    await until(async () => (await entry()).state === "ended", "the call to end");
    expect(await entry(), out).toMatchObject({ finalStatus: 503, refusedBy: "pbx" });
  });
});
