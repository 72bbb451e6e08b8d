/**
 * Preloaded into the emulator by `bench/profile-refresh.ts --alloc` (`node --import
 * bench/alloc-sampler.mjs dist/main.js`): the first SIGUSR2 starts V8's sampling heap
 * profiler, counting objects a scavenge or mark-compact collects too (what the refresh
 * path allocates and drops is the point); the second stops it and writes the profile to the
 * file named by UPE_BENCH_ALLOC_PROFILE. Plain JavaScript: the emulator runs without tsx.
 */
import { renameSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const file = process.env.UPE_BENCH_ALLOC_PROFILE;
if (file) {
  const session = new Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  let sampling = false;
  process.on("SIGUSR2", async () => {
    try {
      if (!sampling) {
        sampling = true;
        await post("HeapProfiler.enable");
        await post("HeapProfiler.startSampling", {
          samplingInterval: 1024,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
      } else {
        sampling = false;
        const { profile } = await post("HeapProfiler.stopSampling");
        // Whole or not at all: the bench waits for the file to appear.
        writeFileSync(`${file}.part`, JSON.stringify(profile));
        renameSync(`${file}.part`, file);
      }
    } catch (err) {
      process.stderr.write(`alloc-sampler: ${err}\n`);
    }
  });
}
