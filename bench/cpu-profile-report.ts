import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

export interface HotSpot {
  readonly functionName: string;
  /** Source location: the file under the project (or node:…) and the first line seen. */
  readonly location: string;
  readonly hits: number;
  readonly selfMs: number;
  /** Share of the samples the process was not idle. */
  readonly percentOfBusy: number;
}

/** The newest `.cpuprofile` in `dir` (node's --cpu-prof names them by time and pid). */
export function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(dir, f));
  files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return files[0];
}

/** Shortens file:///…/dist/sip/x.js to dist/sip/x.js and node_modules paths to the package. */
export function shortUrl(url: string): string {
  if (url === "") return "(native)";
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + 1);
  const dist = url.lastIndexOf("/dist/");
  if (dist >= 0) return url.slice(dist + 1);
  return url;
}

/**
 * Self time per function (functionName + url; every node of the call tree with that frame
 * summed), top `limit` first. `(idle)` is left out of the percentages.
 */
export function topSelfTime(
  path: string,
  limit: number,
): { spots: HotSpot[]; busyMs: number; wallMs: number } {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const totalHits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  const msPerHit = totalHits > 0 ? wallMs / totalHits : 0;
  const byFrame = new Map<string, { functionName: string; location: string; hits: number }>();
  let idleHits = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idleHits += hits;
      continue;
    }
    const key = `${functionName}\u0000${url}`;
    const entry = byFrame.get(key);
    if (entry) entry.hits += hits;
    else
      byFrame.set(key, {
        functionName: functionName || "(anonymous)",
        location: url === "" ? "(native)" : `${shortUrl(url)}:${lineNumber + 1}`,
        hits,
      });
  }
  const busyHits = totalHits - idleHits;
  const spots = [...byFrame.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, limit)
    .map((e) => ({
      ...e,
      selfMs: e.hits * msPerHit,
      percentOfBusy: busyHits > 0 ? (100 * e.hits) / busyHits : 0,
    }));
  return { spots, busyMs: busyHits * msPerHit, wallMs };
}

/**
 * The table, preceded by the process's CPU time from /proc for comparison: V8 samples on
 * wall-clock ticks, so the sampled time exceeds the CPU time when other processes compete
 * for the cores, and falls short of it when native work runs with no JS on the stack (TLS
 * handshakes and record decryption in libuv callbacks are booked as idle; GC threads are not
 * sampled). The percentages are shares of the sampled non-idle time.
 */
export function formatHotSpots(report: ReturnType<typeof topSelfTime>, processCpuSeconds: number): string {
  const lines = [
    `server CPU ${processCpuSeconds.toFixed(1)} s (/proc) over ${(report.wallMs / 1000).toFixed(1)} s; non-idle profile samples ${(report.busyMs / 1000).toFixed(1)} s (wall-clock sampling: more than the CPU time when other processes compete for the cores, less when native work runs outside JS, e.g. TLS handshakes)`,
    `${"self %".padStart(7)} ${"self ms".padStart(9)}  function  (location)`,
  ];
  for (const s of report.spots) {
    lines.push(
      `${s.percentOfBusy.toFixed(1).padStart(6)}% ${s.selfMs.toFixed(0).padStart(9)}  ${s.functionName}  (${s.location})`,
    );
  }
  return lines.join("\n");
}
