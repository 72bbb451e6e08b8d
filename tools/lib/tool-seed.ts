import { writeFileSync } from "node:fs";
import { join } from "node:path";

export const NUMBERING = { schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" };
/** +49 2302 667 + the callee's callno 2131. */
export const CALLEE_NUMBER = "+4923026672131";

export interface ToolTrunk {
  readonly username: string;
  readonly password: string;
}

/**
 * A seed (README "Seed") of `tenants` tenants, each with one PBX system on its own digest
 * trunk and one user to call; returns the file path and the trunks in tenant order.
 */
export function writeToolSeed(
  dir: string,
  prefix: string,
  tenants: number,
  password: string,
  /** Also give the first tenant one system per user here whose trunk registers without digest. */
  plainTrunkUsers: readonly string[] = [],
): { path: string; trunks: ToolTrunk[] } {
  const trunks: ToolTrunk[] = [];
  const docs = [];
  for (let i = 0; i < tenants; i++) {
    const trunk = { username: String(5_000_000_000 + i), password };
    trunks.push(trunk);
    const systemId = `${prefix}-system-${i}`;
    docs.push({
      name: `${prefix}-tenant-${i}`,
      systems: [
        { systemId, simultaneousCalls: 100, numbering: NUMBERING, trunk },
        ...(i === 0 ? plainTrunkUsers : []).map((username) => ({
          systemId: `${prefix}-plain-${username}`,
          simultaneousCalls: 100,
          numbering: NUMBERING,
          trunk: { username, password: "unused-plain-secret", auth: false },
        })),
      ],
      users: [
        {
          emailAddress: `callee-${i}@${prefix}.test`,
          firstName: "Callee",
          lastName: String(i),
          locale: "de-DE",
          callno: "2131",
          system: systemId,
        },
      ],
    });
  }
  const path = join(dir, `${prefix}-seed.json`);
  writeFileSync(path, JSON.stringify({ tenants: docs }));
  return { path, trunks };
}
