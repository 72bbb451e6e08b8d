import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { type NatBehaviour, StunServer } from "../../src/stun/index.js";
import { requirePackage } from "../support/debian-package.js";

const LIBRE = "/usr/lib/x86_64-linux-gnu/libre.so.0";
const SOURCE = path.resolve(import.meta.dirname, "../fixtures/stun/libre-natbd.c");

/** Compiles the libre NAT-discovery client once; null when gcc or libre0 is missing. */
function compile(): string | null {
  if (!existsSync(LIBRE)) return null;
  const binary = path.join(mkdtempSync(path.join(tmpdir(), "upe-natbd-")), "libre-natbd");
  const built = spawnSync("gcc", ["-O1", "-o", binary, SOURCE, LIBRE], { encoding: "utf8", timeout: 60_000 });
  return built.status === 0 ? binary : null;
}

const binary = compile();
const ready = requirePackage(
  binary !== null,
  "libre0 (baresip-core) and gcc",
  "the libre NAT discovery interop test",
);

const servers: StunServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** libre's verdicts ("Endpoint Independent", …) against a fresh server with this NAT. */
async function libreVerdict(
  nat: { mapping: NatBehaviour; filtering: NatBehaviour } | null,
  alternateAddress: string | null = "127.0.0.2",
) {
  const stun = new StunServer(nat ? { nat: { ...nat, publicAddress: "203.0.113.7" } } : {});
  servers.push(stun);
  const { port } = await stun.listen({
    host: "127.0.0.1",
    port: 0,
    alternateAddress,
    alternatePort: 0,
  });
  const { stdout } = await promisify(execFile)(binary!, ["127.0.0.1", String(port)], { timeout: 60_000 });
  return {
    mapping: /mapping: err=(\d+ .+)/.exec(stdout)?.[1] ?? stdout,
    filtering: /filtering: err=(\d+ .+)/.exec(stdout)?.[1] ?? stdout,
  };
}

const NAMES: Record<NatBehaviour, string> = {
  "endpoint-independent": "Endpoint Independent",
  "address-dependent": "Address Dependent",
  "address-and-port-dependent": "Address and Port Dependent",
};
const BEHAVIOURS = Object.keys(NAMES) as NatBehaviour[];

describe.skipIf(!ready)(
  "libre 1.1's RFC 5780 NAT behaviour discovery (baresip's library) against the emulated NAT",
  () => {
    it("agrees with the configured mapping and filtering for every combination, and sees no NAT as endpoint-independent", async () => {
      const combos = BEHAVIOURS.flatMap((mapping) => BEHAVIOURS.map((filtering) => ({ mapping, filtering })));
      // Each run waits out libre's retransmissions for every filtered answer: run them side by side.
      const [open, ...verdicts] = await Promise.all([
        libreVerdict(null),
        ...combos.map((c) => libreVerdict(c)),
      ]);
      expect(open).toEqual({ mapping: "0 Endpoint Independent", filtering: "0 Endpoint Independent" });
      expect(verdicts).toEqual(
        combos.map((c) => ({ mapping: `0 ${NAMES[c.mapping]}`, filtering: `0 ${NAMES[c.filtering]}` })),
      );
    }, 90_000);

    it("gets no verdict, rather than a wrong one, from a server with a second port but no second IP", async () => {
      const nat = { mapping: "address-and-port-dependent", filtering: "endpoint-independent" } as const;
      // EPROTO (71): "missing attributes: OTHER-ADDR"; EINVAL (22): "no OTHER-ADDRESS in response".
      expect(await libreVerdict(nat, null)).toEqual({ mapping: "71 Unknown", filtering: "22 Unknown" });
    });
  },
);
