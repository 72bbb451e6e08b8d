import { readFileSync } from "node:fs";
import { shortUrl } from "./cpu-profile-report.js";

interface SamplingNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children: readonly SamplingNode[];
}

/** What `HeapProfiler.stopSampling` returns: the call tree, and each sample's node and size. */
export interface SamplingProfile {
  readonly head: SamplingNode;
  readonly samples: readonly { readonly size: number; readonly nodeId: number }[];
}

export interface AllocationSpot {
  readonly functionName: string;
  readonly location: string;
  /** Bytes allocated in this function itself (not its callees), per operation. */
  readonly bytesPerOp: number;
  readonly percent: number;
}

/**
 * Bytes allocated per function (its own allocations, every call site summed), per operation,
 * top `limit` first. V8 samples one allocation every ~1 KiB and scales it up, so a figure
 * below a few bytes per operation is noise.
 */
export function topAllocations(
  profile: SamplingProfile,
  ops: number,
  limit: number,
): { spots: AllocationSpot[]; bytesPerOp: number } {
  const bytesByNode = new Map<number, number>();
  for (const s of profile.samples) bytesByNode.set(s.nodeId, (bytesByNode.get(s.nodeId) ?? 0) + s.size);
  const byFrame = new Map<string, { functionName: string; location: string; bytes: number }>();
  let total = 0;
  const visit = (node: SamplingNode) => {
    const bytes = bytesByNode.get(node.id) ?? 0;
    if (bytes > 0) {
      total += bytes;
      const { functionName, url, lineNumber } = node.callFrame;
      const key = `${functionName}\u0000${url}`;
      const entry = byFrame.get(key);
      if (entry) entry.bytes += bytes;
      else
        byFrame.set(key, {
          functionName: functionName || "(anonymous)",
          location: url === "" ? "(native)" : `${shortUrl(url)}:${lineNumber + 1}`,
          bytes,
        });
    }
    for (const child of node.children) visit(child);
  };
  visit(profile.head);
  const perOp = (bytes: number) => (ops > 0 ? bytes / ops : 0);
  const spots = [...byFrame.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, limit)
    .map((e) => ({
      functionName: e.functionName,
      location: e.location,
      bytesPerOp: perOp(e.bytes),
      percent: total > 0 ? (100 * e.bytes) / total : 0,
    }));
  return { spots, bytesPerOp: perOp(total) };
}

export function readSamplingProfile(path: string): SamplingProfile {
  return JSON.parse(readFileSync(path, "utf8")) as SamplingProfile;
}

export function formatAllocations(report: ReturnType<typeof topAllocations>, what: string): string {
  const lines = [
    `allocated ${report.bytesPerOp.toFixed(0)} bytes per ${what} (sampled, objects the GC collected included)`,
    `${"bytes/op".padStart(9)} ${"share".padStart(6)}  function  (location)`,
  ];
  for (const s of report.spots) {
    lines.push(
      `${s.bytesPerOp.toFixed(0).padStart(9)} ${s.percent.toFixed(1).padStart(5)}%  ${s.functionName}  (${s.location})`,
    );
  }
  return lines.join("\n");
}
