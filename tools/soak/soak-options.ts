import { parseArgs } from "node:util";

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
      seconds: { type: "string" },
      seed: { type: "string" },
      trunks: { type: "string" },
      warmup: { type: "string" },
      settle: { type: "string" },
      "rss-growth": { type: "string" },
      "heap-growth": { type: "string" },
      "fd-slack": { type: "string" },
      "from-source": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const int = (name: string, value: string | undefined, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be an integer ≥ ${min}, got "${value}"`);
    return n;
  };
  const seconds = int("seconds", values.seconds, 60, 10);
  return {
    seconds,
    seed: int("seed", values.seed, Math.floor(Math.random() * 2 ** 31), 0),
    trunks: int("trunks", values.trunks, 16, 1),
    warmupSeconds: int("warmup", values.warmup, Math.min(60, Math.floor(seconds / 4)), 0),
    settleSeconds: int("settle", values.settle, 10, 1),
    rssGrowthMb: int("rss-growth", values["rss-growth"], 64, 0),
    heapGrowthMb: int("heap-growth", values["heap-growth"], 24, 0),
    fdSlack: int("fd-slack", values["fd-slack"], 8, 0),
    fromSource: values["from-source"] ?? false,
    help: values.help ?? false,
  };
}
