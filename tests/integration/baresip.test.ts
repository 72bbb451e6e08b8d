import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";

const hasBaresip = spawnSync("baresip", ["-h"]).error === undefined;
if (!hasBaresip)
  console.warn("baresip not installed (Debian package baresip-core): skipping the real-UA test");

let emulator: EmulatorHandle | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  child?.kill("SIGKILL");
  await emulator?.close();
});

/** A baresip config dir: TLS account for the seeded trunk, trusting the emulator's CA. */
function baresipConfig(port: number, caPath: string, password: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "upe-baresip-"));
  writeFileSync(
    path.join(dir, "config"),
    [
      "poll_method epoll",
      "sip_listen 127.0.0.1:0",
      `sip_cafile ${caPath}`,
      "module_path /usr/lib/baresip/modules",
      "module g711.so",
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

describe.skipIf(!hasBaresip)("a real SIP UA (baresip) as the PBX trunk", () => {
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
