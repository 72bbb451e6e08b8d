import { randomBytes, randomInt } from "node:crypto";

/**
 * The connector of one PBX system. `username` is the SIP digest username and the AOR
 * user; it is unique across all tenants, so the registrar finds the trunk by it alone.
 */
export interface Trunk {
  id: string;
  tenantId: string;
  /** PbxSystem.id */
  systemRef: string;
  /** "gtc-001", sequential per tenant */
  name: string;
  username: string;
  password: string;
  /** false only for benchmarks and tests: REGISTER/INVITE are accepted without digest */
  authRequired: boolean;
  createdAt: number;
}

/** Returns an integer in [0, maxExclusive). */
export type RandomInt = (maxExclusive: number) => number;

/** A 10-digit trunk user such as "3919209257" (first digit not 0). */
export function generateTrunkUsername(random: RandomInt = randomInt): string {
  let out = String(1 + random(9));
  for (let i = 1; i < 10; i++) out += String(random(10));
  return out;
}

/** 24 URL-safe characters (144 bits). */
export function generateTrunkPassword(): string {
  return randomBytes(18).toString("base64url");
}

/** "gtc-001" for 1; more than three digits once past 999. */
export function trunkName(sequence: number): string {
  return `gtc-${String(sequence).padStart(3, "0")}`;
}
