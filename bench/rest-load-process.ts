/**
 * The REST load generator process (forked by bench/rest-load.ts): receives one
 * RestLoadSpec, keeps `concurrency` requests in flight over an undici Pool until the time
 * or the count is used up, answers with a RestLoadResult and exits.
 */
import { Pool } from "undici";
import type { RestLoadResult, RestLoadSpec } from "./rest-load.js";

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function runPhase(spec: RestLoadSpec): Promise<RestLoadResult> {
  const pool = new Pool(spec.origin, {
    connections: spec.concurrency,
    pipelining: 1,
    connect: { ca: spec.ca },
  });
  const latencies = new Float64Array(spec.maxRequests);
  const statuses: Record<string, number> = {};
  let issued = 0;
  let done = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + spec.durationMs;
  const worker = async (): Promise<void> => {
    while (issued < spec.maxRequests && performance.now() < deadline) {
      const n = issued++;
      const body = spec.bodyTemplate?.replaceAll("{n}", String(n));
      const headers =
        body === undefined ? spec.headers : { ...spec.headers, "content-type": "application/json" };
      const sent = performance.now();
      let status = "error";
      try {
        const res = await pool.request({ method: spec.method, path: spec.path, headers, body });
        await res.body.dump();
        status = String(res.statusCode);
      } catch {
        // counted as a failure below
      }
      latencies[done++] = performance.now() - sent;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (!status.startsWith("2")) failures++;
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  await pool.close();
  const sorted = latencies.subarray(0, done).sort();
  return {
    requests: done,
    failures,
    statuses,
    elapsedMs,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : 0,
  };
}

process.once("message", (spec) => {
  runPhase(spec as RestLoadSpec).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(`rest load failed: ${String((error as Error)?.stack ?? error)}`);
      process.exit(1);
    },
  );
});
