import { parseArgs } from "node:util";
import { COMMON_OPTIONS, intOption, randomSeed } from "../lib/tool-cli.js";

export interface SoakOptions {
  readonly seconds: number;
  readonly seed: number;
  readonly trunks: number;
  readonly warmupSeconds: number;
  readonly settleSeconds: number;
  readonly rssGrowthMb: number;
  readonly heapGrowthMb: number;
  readonly fdSlack: number;
  readonly fromSource: boolean;
  readonly help: boolean;
}

export const USAGE = `npm run soak -- [options]    (the emulator is dist/main.js: npm run build first)

  --seconds N          length of the load phase (default 60); checkpoint and settle come after
  --seed N             PRNG seed of the action mix (default: random, printed)
  --trunks N           concurrent TLS trunk connections, one tenant each (default 16)
  --warmup N           seconds of load before the memory baseline (default: a quarter, at most 60)
  --settle N           seconds the end state may take to be reached (default 10)
  --rss-growth MB      allowed RSS growth from warm-up to the end (default 64)
  --heap-growth MB     allowed heap growth (after GC) from warm-up to the end (default 24)
  --fd-slack N         allowed open files above the count before the load (default 8)
  --from-source        run src/main.ts through tsx instead of dist/main.js`;

export function parseSoakOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_OPTIONS,
      trunks: { type: "string" },
      warmup: { type: "string" },
      settle: { type: "string" },
      "rss-growth": { type: "string" },
      "heap-growth": { type: "string" },
      "fd-slack": { type: "string" },
    },
    strict: true,
  });
  const seconds = intOption("seconds", values.seconds, 60, 10);
  return {
    seconds,
    seed: intOption("seed", values.seed, randomSeed(), 0),
    trunks: intOption("trunks", values.trunks, 16, 1),
    warmupSeconds: intOption("warmup", values.warmup, Math.min(60, Math.floor(seconds / 4)), 0),
    settleSeconds: intOption("settle", values.settle, 10, 1),
    rssGrowthMb: intOption("rss-growth", values["rss-growth"], 64, 0),
    heapGrowthMb: intOption("heap-growth", values["heap-growth"], 24, 0),
    fdSlack: intOption("fd-slack", values["fd-slack"], 8, 0),
    fromSource: values["from-source"] ?? false,
    help: values.help ?? false,
  };
}
