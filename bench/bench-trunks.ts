/**
 * The trunks of the benchmark seed, derived from an index and a per-run secret so the
 * runner (which writes the seed) and the load generator (which registers) agree without
 * shipping 10,000 credentials over IPC.
 */
export interface TrunkCredentials {
  readonly username: string;
  readonly password: string;
}

/** The SIP domain and digest realm: the emulator's default `--domain`. */
export const BENCH_DOMAIN = "phoneapp.unify.com";

const DIGEST_BASE = 2_000_000_000;
const PLAIN_BASE = 3_000_000_000;

/** Trunk `i` with digest authentication on: 10-digit user, its own password. */
export function digestTrunk(i: number, secret: string): TrunkCredentials {
  return { username: String(DIGEST_BASE + i), password: `${secret}-${i}` };
}

/** Username of plain trunk `i` (`auth: false`, one round trip per REGISTER). */
export function plainTrunkUser(i: number): string {
  return String(PLAIN_BASE + i);
}
