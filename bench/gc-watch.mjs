/**
 * Preloaded into the emulator by the bench (`node --import bench/gc-watch.mjs dist/main.js`,
 * see server-process.ts): appends every garbage-collection pause the process takes, as
 * "epochMs durationMs kind" lines (kind: perf_hooks' NODE_PERFORMANCE_GC_* flag), to the file
 * named by UPE_BENCH_GC_LOG. Buffered and written every half second, so the hot path only
 * pays for the observer itself. Plain JavaScript: the emulator runs without tsx.
 */
import { appendFileSync } from "node:fs";
import { PerformanceObserver, performance } from "node:perf_hooks";

const file = process.env.UPE_BENCH_GC_LOG;
if (file) {
  let lines = "";
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const at = performance.timeOrigin + entry.startTime;
      lines += `${at.toFixed(1)} ${entry.duration.toFixed(3)} ${entry.detail?.kind ?? 0}\n`;
    }
  }).observe({ entryTypes: ["gc"] });
  const flush = () => {
    if (lines === "") return;
    appendFileSync(file, lines);
    lines = "";
  };
  setInterval(flush, 500).unref();
  process.on("exit", flush);
}
