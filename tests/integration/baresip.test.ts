import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { until } from "../support/until.js";

const hasBaresip = spawnSync("baresip", ["-h"]).error === undefined;
if (!hasBaresip)
  console.warn("baresip not installed (Debian package baresip-core): skipping the real-UA test");

let emulator: EmulatorHandle | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  child?.kill("SIGKILL");
  await emulator?.close();
});

/** 2 s of a 440 Hz tone, 8 kHz 16-bit mono: baresip's audio source for calls. */
function toneWav(file: string): void {
  const samples = 16000;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write("RIFF", 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(16000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++)
    wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), 44 + i * 2);
  writeFileSync(file, wav);
}

/** A baresip config dir: TLS account for the seeded trunk, trusting the emulator's CA. */
function baresipConfig(port: number, caPath: string, password: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "upe-baresip-"));
  toneWav(path.join(dir, "tone.wav"));
  writeFileSync(
    path.join(dir, "config"),
    [
      "poll_method epoll",
      "sip_listen 127.0.0.1:0",
      `sip_cafile ${caPath}`,
      `audio_source aufile,${path.join(dir, "tone.wav")}`,
      `audio_player aufile,${path.join(dir, "heard.wav")}`,
      "module_path /usr/lib/baresip/modules",
      "module g711.so",
      "module aufile.so",
      "module menu.so",
      "module stdio.so",
      "module_app account.so",
      "",
    ].join("\n"),
  );
  writeFileSync(
    path.join(dir, "accounts"),
    `<sip:${TRUNK.username}@127.0.0.1:${port};transport=tls>;auth_pass=${password};regint=600\n`,
  );
  return dir;
}

const CALL_SEED = `
tenants:
  - name: Acme
    systems:
      - systemId: osbiz-1
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }
`;

describe.skipIf(!hasBaresip)("a real SIP UA (baresip) as the PBX trunk", () => {
  it("registers, then calls a virtual user over the trunk and is answered, with RTP both ways", async () => {
    const e = await startTestEmulator({ seedText: CALL_SEED, adminToken: "baresip-admin" });
    emulator = e;
    const dir = baresipConfig(e.ports.sip, e.certificates.caCertPath!, TRUNK.password);
    // Commands come on stdin (stdio module): dial only once registered, or the INVITE
    // would rightly be refused as not coming from a registered trunk connection.
    child = spawn("baresip", ["-f", dir, "-t", "25"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const until = async (what: string, ok: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`baresip: no ${what}:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until("registration", () => e.bindings().length > 0);
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
    const dir = baresipConfig(e.ports.sip, e.certificates.caCertPath!, TRUNK.password);
    // answermode=auto: baresip answers what is addressed to its account's Contact. It looks
    // the account up by the Request-URI, so a bare dialled number would not reach it.
    writeFileSync(
      path.join(dir, "accounts"),
      `<sip:${TRUNK.username}@127.0.0.1:${e.ports.sip};transport=tls>;auth_pass=${TRUNK.password};regint=600;answermode=auto\n`,
    );
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
    const dir = baresipConfig(emulator.ports.sip, emulator.certificates.caCertPath!, TRUNK.password);
    child = spawn("baresip", ["-f", dir, "-t", "20"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const deadline = Date.now() + 15_000;
    while (emulator.bindings().length === 0) {
      if (Date.now() > deadline) throw new Error(`baresip did not register:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const [binding] = emulator.bindings();
    expect(binding).toMatchObject({ aor: TRUNK.username, transport: "TLS" });
    await new Promise((r) => setTimeout(r, 200));
    expect(out).toMatch(/200 OK/);
  });

  it("fails to register with a wrong password", async () => {
    emulator = await startTestEmulator();
    const dir = baresipConfig(emulator.ports.sip, emulator.certificates.caCertPath!, "not-the-password");
    child = spawn("baresip", ["-f", dir, "-t", "20"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    const deadline = Date.now() + 15_000;
    while (!/403/.test(out)) {
      if (Date.now() > deadline) throw new Error(`no 403 seen:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(emulator.bindings()).toHaveLength(0);
  });
});
