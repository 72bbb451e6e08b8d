import { parseArgs } from "node:util";

export interface BenchOptions {
  /** Write the server's .cpuprofile and print its top self-time functions. */
  readonly profile: boolean;
  /** Measured seconds per phase (after a short warm-up). */
  readonly seconds: number;
  /** Persistent TLS connections of phases (a), (b), (e). */
  readonly connections: number;
  /** Requests in flight per persistent connection. */
  readonly window: number;
  /** Parallel connect + REGISTER + close workers of phase (c). */
  readonly parallel: number;
  /** Idle registered TLS connections of phase (d). */
  readonly idle: number;
  /** Phases to run ((e) needs (a): it paces at half the refresh rate (a) measured). */
  readonly phases: ReadonlySet<Phase>;
  /** `--compare kamailio`: the side-by-side registrar comparison instead of the phases. */
  readonly compare: "kamailio" | undefined;
  /** Rounds of the comparison (each runs both servers). */
  readonly rounds: number;
}

/** a–e as in issue 2 §14; p: the parser micro-benchmark (bench/parser.ts). */
export type Phase = "a" | "b" | "c" | "d" | "e" | "p";
const PHASES: readonly Phase[] = ["a", "b", "c", "d", "e", "p"];

export const USAGE = `usage: npm run bench -- [--profile] [--seconds N] [--connections N] [--window N] [--parallel N] [--idle N] [--only a,b,c,d,e,p]
       npm run bench -- --compare kamailio [--rounds N] [--seconds N] [--connections N] [--window N] [--profile]
  --profile        run the server with --cpu-prof and print its top 25 self-time functions
  --seconds N      measured seconds per phase (default 6, 1–30)
  --connections N  persistent TLS connections for (a), (b), (e) (default 16)
  --window N       requests in flight per connection (default 16)
  --parallel N     parallel connect+REGISTER+close workers for (c) (default 16)
  --idle N         idle registered TLS connections for (d) (default 10000)
  --only LIST      run only these phases, e.g. a,b (default a,b,c,d,e,p; e needs a; p = parser micro-benchmark)
  --compare kamailio  the emulator and Kamailio side by side as TLS digest registrars (CPU µs per registration, ratio)
  --rounds N       rounds of --compare, each measuring both servers (default 3, 1–10)`;

function phaseList(value: string | undefined): ReadonlySet<Phase> {
  if (value === undefined) return new Set(PHASES);
  const list = value.split(",").map((p) => p.trim());
  const bad = list.filter((p) => !PHASES.includes(p as Phase));
  if (bad.length > 0 || list.length === 0)
    throw new BenchUsageError(`--only takes phases of ${PHASES.join(",")}, got "${value}"`);
  const phases = new Set(list as Phase[]);
  if (phases.has("e") && !phases.has("a")) throw new BenchUsageError("--only: phase e needs phase a");
  return phases;
}

/** A command-line mistake: reported as one line plus the usage it breaks, not as a stack. */
/** `parseArgs` with its refusals (an unknown or valueless option) as a BenchUsageError. */
export function parseOrUsage<T>(parse: () => T, usage = USAGE): T {
  try {
    return parse();
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS_"))
      throw new BenchUsageError((err as Error).message, usage);
    throw err;
  }
}

export class BenchUsageError extends Error {
  constructor(
    message: string,
    readonly usage: string = USAGE,
  ) {
    super(message);
  }
}

/** `--name N`: an integer within [min, max], or `fallback` when absent. */
export function bounded(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  usage: string = USAGE,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new BenchUsageError(`--${name} must be an integer ${min}–${max}`, usage);
  return n;
}

export function parseBenchOptions(argv: string[]): BenchOptions | "help" {
  const { values } = parseOrUsage(() =>
    parseArgs({
      args: argv,
      options: {
        profile: { type: "boolean" },
        help: { type: "boolean" },
        seconds: { type: "string" },
        connections: { type: "string" },
        window: { type: "string" },
        parallel: { type: "string" },
        idle: { type: "string" },
        only: { type: "string" },
        compare: { type: "string" },
        rounds: { type: "string" },
      },
    }),
  );
  if (values.help) return "help";
  if (values.compare !== undefined && values.compare !== "kamailio")
    throw new BenchUsageError(`--compare takes "kamailio", got "${values.compare}"`);
  return {
    profile: values.profile ?? false,
    seconds: bounded("seconds", values.seconds, 6, 1, 30),
    connections: bounded("connections", values.connections, 16, 1, 256),
    window: bounded("window", values.window, 16, 1, 256),
    parallel: bounded("parallel", values.parallel, 16, 1, 256),
    idle: bounded("idle", values.idle, 10_000, 1, 50_000),
    phases: phaseList(values.only),
    compare: values.compare === "kamailio" ? "kamailio" : undefined,
    rounds: bounded("rounds", values.rounds, 3, 1, 10),
  };
}
