import { readFileSync } from "node:fs";

/**
 * Datagrams the kernel dropped because a socket's receive buffer was full, summed over
 * the UDP sockets bound to 127.0.0.1 on one of `ports` (proc(5) /proc/net/udp: the last
 * column, "drops"). Tells whether loss happened at the server's sockets or at ours.
 */
export function udpDrops(ports: ReadonlySet<number>): number {
  let drops = 0;
  for (const line of readFileSync("/proc/net/udp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (!local?.startsWith("0100007F:")) continue;
    if (ports.has(Number.parseInt(local.slice(9), 16))) drops += Number(fields[fields.length - 1]) || 0;
  }
  return drops;
}
