import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { digestTrunk, plainTrunkUser } from "./bench-trunks.js";

export interface BenchSeedOptions {
  readonly digestTrunks: number;
  readonly plainTrunks: number;
  readonly secret: string;
}

/**
 * Writes the seed (JSON, README "Seed"): one tenant with a system per trunk. Distinct
 * registrations need distinct trunks because the registrar keeps at most 10 contacts per
 * trunk. Returns the file path.
 */
export function writeBenchSeed(dir: string, options: BenchSeedOptions): string {
  const systems: unknown[] = [];
  for (let i = 0; i < options.digestTrunks; i++) {
    const { username, password } = digestTrunk(i, options.secret);
    systems.push({ systemId: `bench-digest-${i}`, trunk: { username, password } });
  }
  for (let i = 0; i < options.plainTrunks; i++) {
    systems.push({
      systemId: `bench-plain-${i}`,
      trunk: { username: plainTrunkUser(i), password: "unused-plain", auth: false },
    });
  }
  const path = join(dir, "bench-seed.json");
  writeFileSync(path, JSON.stringify({ tenants: [{ name: "Bench", systems, users: [] }] }));
  return path;
}
