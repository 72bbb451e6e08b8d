import { isIP } from "node:net";

/**
 * The host names and IP literals a server certificate is issued for, normalised so
 * that "LocalHost" and "localhost", or "::1" and "0:0:0:0:0:0:0:1", count as one host.
 * IPv6 literals take their canonical RFC 5952 form (what WHATWG URL serialises).
 */
export function normalizeHosts(hosts: readonly string[]): string[] {
  const normalized: string[] = [];
  for (const host of hosts) {
    const value = normalizeHost(host);
    if (!normalized.includes(value)) normalized.push(value);
  }
  if (normalized.length === 0) throw new Error("a server certificate needs at least one host name or IP");
  return normalized;
}

export function normalizeHost(host: string): string {
  const trimmed = host.trim().replace(/^\[(.*)\]$/, "$1");
  if (trimmed === "") throw new Error(`invalid certificate host ${JSON.stringify(host)}`);
  if (isIP(trimmed) === 6) {
    try {
      return new URL(`http://[${trimmed}]`).hostname.slice(1, -1);
    } catch {
      throw new Error(`invalid IPv6 certificate host ${JSON.stringify(host)} (zone ids are not allowed)`);
    }
  }
  return isIP(trimmed) === 4 ? trimmed : trimmed.toLowerCase();
}

export function isIpHost(host: string): boolean {
  return isIP(host) !== 0;
}
