import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { startMockCli } from "../support/mock-osbiz-cli-process.js";
import { until } from "../support/until.js";

const SEED = acmeSeed();

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let child: ChildProcessWithoutNullStreams | undefined;

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: "cli-admin", seedText: SEED });
  http = httpClient(emulator);
});

afterEach(async () => {
  child?.kill("SIGKILL");
  child = undefined;
  await emulator.close();
});

/** The command in a child process (killed after the test). */
function run(args: string[]) {
  const cli = startMockCli(args);
  child = cli.proc;
  return cli;
}

function mockArgs(): string[] {
  return [
    "--url",
    emulator.urls.https,
    "--api-key",
    "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
    "--ca",
    emulator.certificates.caCertPath!,
    "--system-id",
    "osbiz-1",
    "--rtp-bind",
    "127.0.0.1",
    "--rtp-ports",
    "44000-44999",
  ];
}

async function connectorStatus(): Promise<string> {
  const tenant = (await http.admin("GET", "/api/admin/tenants")).body[0];
  return (await http.admin("GET", `/api/admin/tenants/${tenant.id}/connectors`)).body[0].status;
}

describe("unify-phone-emulator mock-osbiz", () => {
  it("registers, places a call from stdin, lists it, and unregisters on quit", async () => {
    const tenant = (await http.admin("GET", "/api/admin/tenants")).body[0];
    const al = (await http.admin("GET", `/api/admin/tenants/${tenant.id}/users`)).body.items[0];
    await http.admin("PATCH", `/api/admin/tenants/${tenant.id}/users/${al.id}`, {
      callBehaviour: { mode: "answer", ringMs: 0 },
    });
    const cli = run(mockArgs());
    expect(await cli.line(/ready: gtc-001 registered/)).toBeDefined();
    expect(cli.out.some((l) => / provisioned gtc-001 as 3919209257 /.test(l))).toBe(true);
    expect(await connectorStatus()).toBe("available");
    cli.send("call +4923026672131");
    await cli.line(/call 1 to \+4923026672131 answered: 200 OK/);
    cli.send("calls");
    expect(await cli.line(/#1 outgoing 3919209257 -> \+4923026672131 answered/)).toBeDefined();
    cli.send("quit");
    expect(await cli.exited).toBe(0);
    expect(cli.out.some((l) => / unregistered 3919209257$/.test(l))).toBe(true);
    expect(await connectorStatus()).toBe("unavailable");
    const journal = (await http.admin("GET", "/api/admin/calls")).body;
    expect(journal[0]).toMatchObject({ state: "ended", endedBy: "pbx", to: "+4923026672131" });
  }, 40_000);

  it("keeps running with stdin closed, and reconnects when the emulator drops the connection", async () => {
    const tenant = (await http.admin("GET", "/api/admin/tenants")).body[0];
    const al = (await http.admin("GET", `/api/admin/tenants/${tenant.id}/users`)).body.items[0];
    const cli = run(mockArgs());
    await cli.line(/ready: gtc-001 registered/);
    child!.stdin.end();
    // The emulator closes the trunk's connection as it sends the next INVITE toward the PBX.
    const fault = await http.admin("POST", "/api/admin/faults", {
      layer: "sip",
      match: { direction: "out", method: "INVITE" },
      action: { type: "close" },
      when: { maxHits: 1 },
    });
    expect(fault.status).toBe(201);
    await http.admin("POST", "/api/admin/calls", { fromUser: al.id, to: "+4930123456" });
    await cli.line(/connection lost/);
    await cli.line(/reconnected|registered 3919209257/);
    await until(async () => (await connectorStatus()) === "available", "the mock to register again");
    expect(child!.exitCode).toBeNull();
    child!.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  }, 40_000);

  it("SIGTERM unregisters and exits 0", async () => {
    const cli = run(mockArgs());
    await cli.line(/ready: /);
    child!.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(cli.out.some((l) => / SIGTERM: hanging up, unregistering$/.test(l))).toBe(true);
    expect(await connectorStatus()).toBe("unavailable");
  }, 40_000);

  it("exits 2 with the usage on a missing --api-key, 1 when provisioning is refused", async () => {
    const bad = run(["--url", emulator.urls.https]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/--api-key is required[\s\S]*Usage: unify-phone-emulator mock-osbiz/);
    const refused = run([...mockArgs().slice(0, 3), "wrong-key", ...mockArgs().slice(4)]);
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toMatch(/^mock-osbiz: 401 api_key_invalid/);
  }, 40_000);

  it("takes PBX users from --user and changes them, the RTP channels, the address and the trunk from stdin", async () => {
    const tenant = (await http.admin("GET", "/api/admin/tenants")).body[0];
    const al = (await http.admin("GET", `/api/admin/tenants/${tenant.id}/users`)).body.items[0];
    await http.admin("PATCH", `/api/admin/tenants/${tenant.id}/users/${al.id}`, {
      callBehaviour: { mode: "answer", ringMs: 0 },
    });
    const alCalls = async () => {
      const id = (await http.admin("POST", "/api/admin/calls", { fromUser: al.id, to: "+4930123456" })).body
        .id;
      let entry: { state?: string } = {};
      await until(async () => {
        entry = (await http.admin("GET", `/api/admin/calls/${id}`)).body;
        return entry.state === "ended" || entry.state === "answered";
      }, "the call to be answered or refused");
      return entry;
    };
    const cli = run([...mockArgs(), "--user", "2131:licence=none", "--model", "X1", "--rtp-channels", "2"]);
    await cli.line(/ready: gtc-001 registered/);
    expect(
      cli.out.some((l) => / 1 Unify Phone user\(s\) on the PBX; an OpenScape Business X1 takes 50$/.test(l)),
    ).toBe(true);
    expect(await alCalls()).toMatchObject({ state: "ended", finalStatus: 403, refusedBy: "pbx" });
    await cli.line(
      /incoming call 1 from \+4923026672131 to \+4930123456 refused: 403 Unify Phone licence missing/,
    );
    cli.send("user 2131 licence=valid");
    await cli.line(/user 2131: licence valid, Trusted External User, route on/);
    cli.send("rtp occupy 1 device-at-home");
    await cli.line(/RTP channels: 1\/2 in use \(ITSP 0, Device@Home 1, Unify Phone 0\)/);
    expect(await alCalls()).toMatchObject({ state: "answered" });
    // Two channels: one Device@Home, one the answered call; the next call finds none.
    expect(await alCalls()).toMatchObject({
      finalStatus: 503,
      hangupCause: "503 RTP proxy channels exhausted",
    });
    cli.send("public-ip 127.0.0.2");
    await cli.line(/registered from 127\.0\.0\.2/);
    await until(
      () => emulator.bindings()[0]?.remote.address === "127.0.0.2",
      "the connector to see the new address",
    );
    cli.send(`expert port=1`);
    await cli.line(/Expert Mode change applied: not registered/);
    await until(async () => (await connectorStatus()) === "unavailable", "the connector to go unavailable");
    cli.send("quit");
    expect(await cli.exited).toBe(0);
  }, 40_000);
});
