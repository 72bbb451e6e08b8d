import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { installed } from "../../support/debian-package.js";
import { freePort } from "./ports.js";
import { Peer } from "./process.js";

const CONFIGS = fileURLToPath(new URL("../configs/", import.meta.url));
/** Debian's multiarch module dir (x86_64-linux-gnu, aarch64-linux-gnu, …) holding tls.so. */
const MODULES = readdirSync("/usr/lib", { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => path.join("/usr/lib", d.name, "kamailio", "modules"))
  .find((dir) => existsSync(path.join(dir, "tls.so")));

/** kamailio with its TLS module (kamailio-tls-modules) on this machine. */
export const hasKamailio = installed("kamailio", ["-v"]) && MODULES !== undefined;

export interface KamailioPbx {
  readonly peer: Peer;
  readonly dir: string;
  /** UDP port the local phone sends to. */
  readonly udpPort: number;
  /** TLS port uac_reg registers from (advertised as 192.0.2.77:5061). */
  readonly tlsPort: number;
  /** Runs a kamcmd RPC on the ctl socket, returns its stdout. */
  rpc(...args: string[]): string;
  stop(): Promise<void>;
}

function render(template: string, values: Record<string, string | number>): string {
  return template.replace(/@([A-Z_]+)@/g, (whole, key: string) =>
    key in values ? String(values[key]) : whole,
  );
}

/**
 * Kamailio 5.6 playing a PBX behind NAT (tests/interop/configs/kamailio-pbx.cfg): uac_reg
 * registers the trunk over TLS to the emulator, Contact 192.0.2.77:5061 (unreachable),
 * record-routes, and relays calls between the trunk and a phone on UDP at `phonePort`.
 */
export async function startKamailio(options: {
  emulatorSipPort: number;
  caPath: string;
  phonePort: number;
}): Promise<KamailioPbx> {
  const dir = mkdtempSync(path.join(tmpdir(), "upe-kamailio-"));
  const udpPort = await freePort();
  const tlsPort = await freePort();
  const values = {
    DIR: dir,
    CA: options.caPath,
    EMU_SIP_PORT: options.emulatorSipPort,
    UDP_PORT: udpPort,
    TLS_PORT: tlsPort,
    PHONE_PORT: options.phonePort,
    MODULES: MODULES ?? "",
  };
  const key = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"].concat([
      "-subj",
      "/CN=pbx.local",
      "-keyout",
      `${dir}/kam-key.pem`,
      "-out",
      `${dir}/kam-cert.pem`,
    ]),
    { encoding: "utf8", timeout: 10_000 },
  );
  if (key.status !== 0) throw new Error(`openssl could not make Kamailio's certificate: ${key.stderr}`);
  mkdirSync(path.join(dir, "db"));
  for (const table of ["uacreg", "version"])
    writeFileSync(
      path.join(dir, "db", table),
      render(readFileSync(path.join(CONFIGS, "kamailio-db", table), "utf8"), values),
    );
  writeFileSync(
    path.join(dir, "tls.cfg"),
    render(readFileSync(path.join(CONFIGS, "kamailio-pbx-tls.cfg"), "utf8"), values),
  );
  const cfg = path.join(dir, "kamailio.cfg");
  writeFileSync(cfg, render(readFileSync(path.join(CONFIGS, "kamailio-pbx.cfg"), "utf8"), values));
  const check = spawnSync("kamailio", ["-c", "-f", cfg], { encoding: "utf8", timeout: 10_000 });
  if (check.status !== 0) throw new Error(`kamailio rejects the rendered config ${cfg}:\n${check.stderr}`);
  // -DD: foreground with its child processes; -E: log to stderr; small memory pools.
  const peer = new Peer("kamailio", "kamailio", ["-f", cfg, "-DD", "-E", "-m", "48", "-M", "8", "-Y", dir], {
    cwd: dir,
    scratchDir: dir,
  });
  return {
    peer,
    dir,
    udpPort,
    tlsPort,
    rpc: (...args) => {
      const out = spawnSync("kamcmd", ["-s", `unix:${dir}/kamailio_ctl`, ...args], {
        encoding: "utf8",
        timeout: 5_000,
      });
      if (out.status !== 0) throw new Error(`kamcmd ${args.join(" ")}: ${out.stderr}${out.stdout}`);
      return out.stdout;
    },
    stop: () => peer.stop(3_000),
  };
}
