import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** The trunk the generator registers and calls over (digest auth on). */
export const CALLS_TRUNK_USER = "4000000001";
export const CALLS_TENANT = "Calls";
export const CALLEE_EMAIL = "callee@calls.bench";
/** The callee's number as the PBX dials it: +49 2302 667 + callno 2131 (international plan). */
export const CALLEE_NUMBER = "+4923026672131";
/** The most lines a trunk may have (domain validator: 1–1000). */
export const TRUNK_LINES = 1000;

/**
 * Writes the seed (JSON, README "Seed"): one tenant, one system with the international
 * numbering plan, a digest trunk and every line it may have, one user to call. Returns the path.
 */
export function writeCallsSeed(dir: string, trunkPassword: string): string {
  const system = {
    systemId: "bench-calls",
    simultaneousCalls: TRUNK_LINES,
    numbering: { schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" },
    trunk: { username: CALLS_TRUNK_USER, password: trunkPassword },
  };
  const callee = {
    emailAddress: CALLEE_EMAIL,
    firstName: "Bench",
    lastName: "Callee",
    locale: "de-DE",
    callno: "2131",
    system: "bench-calls",
  };
  const path = join(dir, "calls-seed.json");
  writeFileSync(
    path,
    JSON.stringify({ tenants: [{ name: CALLS_TENANT, systems: [system], users: [callee] }] }),
  );
  return path;
}
