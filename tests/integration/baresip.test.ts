import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { baresipConfig, hasBaresip } from "../interop/support/baresip.js";
import { acmeSeed } from "../support/acme-seed.js";
import { requirePackage } from "../support/debian-package.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { until } from "../support/until.js";

const ready = requirePackage(hasBaresip, "baresip-core", "the real-UA test");

let emulator: EmulatorHandle | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  child?.kill("SIGKILL");
  await emulator?.close();
});

/**
 * A baresip config dir: TLS account for the seeded trunk (account parameters `extra`
 * appended), trusting the emulator's CA, 2 s of tone as the audio source for calls.
 */
function trunkConfig(port: number, caPath: string, password: string, extra = ""): string {
  return baresipConfig({
    port: 0,
    caPath,
    toneSeconds: 2,
    account: `<sip:${TRUNK.username}@127.0.0.1:${port};transport=tls>;auth_pass=${password};regint=600${extra}`,
  });
}

const CALL_SEED = acmeSeed();

describe.skipIf(!ready)("a real SIP UA (baresip) as the PBX trunk", () => {
  it("registers, then calls a virtual user over the trunk and is answered, with RTP both ways", async () => {
    const e = await startTestEmulator({ seedText: CALL_SEED, adminToken: "baresip-admin" });
    emulator = e;
    const dir = trunkConfig(e.ports.sip, e.certificates.caCertPath!, TRUNK.password);
    // Commands come on stdin (stdio module): dial only once registered, or the INVITE
    // would rightly be refused as not coming from a registered trunk connection.
    child = spawn("baresip", ["-f", dir, "-t", "25"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    await until(
      () => e.bindings().length > 0,
      () => `baresip's registration:\n${out}`,
      15_000,
    );
    child.stdin!.write(`/dial sip:+4923026672131@127.0.0.1:${e.ports.sip};transport=tls\n`);
    const http = httpClient(e);
    let call:
      | { state: string; media: { stats: { packetsReceived: number; packetsSent: number } } | null }
      | undefined;
    const deadline = Date.now() + 15_000;
    while (!(call && call.state === "answered" && (call.media?.stats.packetsReceived ?? 0) > 20)) {
      if (Date.now() > deadline)
        throw new Error(`call not answered with RTP:\n${out}\n${JSON.stringify(call)}`);
      await new Promise((r) => setTimeout(r, 100));
      call = (await http.admin("GET", "/api/admin/calls")).body[0];
    }
    expect(out).toMatch(/180 Ringing/);
    expect(call.media!.stats.packetsSent).toBeGreaterThan(0);
    child.stdin!.write("/hangup\n");
  });

  it("is called with --inbound-request-uri contact: the INVITE goes to its registered Contact and it answers", async () => {
    const e = await startTestEmulator({
      seedText: CALL_SEED,
      adminToken: "baresip-admin",
      inboundRequestUri: "contact",
    });
    emulator = e;
    // answermode=auto: baresip answers what is addressed to its account's Contact. It looks
    // the account up by the Request-URI, so a bare dialled number would not reach it.
    const dir = trunkConfig(e.ports.sip, e.certificates.caCertPath!, TRUNK.password, ";answermode=auto");
    child = spawn("baresip", ["-f", dir, "-t", "25"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    await until(
      () => e.bindings().length > 0,
      () => `baresip registration:\n${out}`,
      15_000,
    );
    const contact = e.bindings()[0]!.contact;
    const http = httpClient(e);
    const started = await http.admin("POST", "/api/admin/calls", {
      fromUser: "al@acme.test",
      to: "+4930123456",
    });
    expect(started.status).toBe(201);
    let call:
      | { state: string; media: { stats: { packetsReceived: number; packetsSent: number } } | null }
      | undefined;
    await until(
      async () => {
        call = (await http.admin("GET", `/api/admin/calls?state=active`)).body[0];
        return call?.state === "answered" && (call.media?.stats.packetsReceived ?? 0) > 20;
      },
      () => `the call answered by baresip with RTP:\n${out}\n${JSON.stringify(call)}`,
      15_000,
    );
    const trace = await http.admin("GET", "/api/admin/trace?kind=sip");
    const invite = trace.body.entries.find(
      (x: { direction: string; summary: { method?: string } }) =>
        x.direction === "out" && x.summary.method === "INVITE",
    );
    expect(invite.summary.startLine).toBe(`INVITE ${contact} SIP/2.0`);
    expect(call!.media!.stats.packetsSent).toBeGreaterThan(0);
    await http.admin("DELETE", `/api/admin/calls/${started.body.id}`);
  });

  it("registers over TLS with the seeded trunk credentials", async () => {
    emulator = await startTestEmulator();
    const dir = trunkConfig(emulator.ports.sip, emulator.certificates.caCertPath!, TRUNK.password);
    child = spawn("baresip", ["-f", dir, "-t", "20"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const e = emulator;
    await until(
      () => e.bindings().length > 0,
      () => `baresip's registration:\n${out}`,
      15_000,
    );
    const [binding] = e.bindings();
    expect(binding).toMatchObject({ aor: TRUNK.username, transport: "TLS" });
    // The binding exists before baresip has read our 200 OK: wait for baresip to report it.
    await until(
      () => /200 OK/.test(out),
      () => `baresip's "200 OK":\n${out}`,
      15_000,
    );
  });

  it("fails to register with a wrong password", async () => {
    emulator = await startTestEmulator();
    const dir = trunkConfig(emulator.ports.sip, emulator.certificates.caCertPath!, "not-the-password");
    child = spawn("baresip", ["-f", dir, "-t", "20"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    await until(
      () => /403/.test(out),
      () => `a 403 in baresip's output:\n${out}`,
      15_000,
    );
    expect(emulator.bindings()).toHaveLength(0);
  });
});
