import { staleBuildWarning } from "./emulator-process.js";

/** The `parseArgs` options every load tool takes: --seconds, --seed, --from-source, --help (-h). */
export const COMMON_OPTIONS = {
  seconds: { type: "string" },
  seed: { type: "string" },
  "from-source": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The value of integer option `--name`: `fallback` when absent; throws unless an integer ≥ `min`. */
export function intOption(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

/** A PRNG seed for when --seed is not given (the tools print it, so a run can be repeated). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

interface ToolOptions {
  readonly help: boolean;
  readonly fromSource: boolean;
}

async function toolMain<O extends ToolOptions>(
  usage: string,
  parse: (argv: string[]) => O,
  run: (options: O) => Promise<number>,
): Promise<number> {
  let options: O;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    console.log(usage);
    return 0;
  }
  if (!options.fromSource) {
    const warning = staleBuildWarning();
    if (warning?.startsWith("dist/main.js is missing")) {
      console.error(warning);
      return 2;
    }
    if (warning) console.warn(`warning: ${warning}`);
  }
  return run(options);
}

/**
 * Runs a load tool as the process: parses the command line (exit 2 with `usage` when it is
 * wrong; `usage` and exit 0 on --help), refuses to start without dist/main.js and warns when
 * it is stale (unless --from-source), then exits with `run`'s code, or 1 when it throws.
 */
export function runTool<O extends ToolOptions>(
  usage: string,
  parse: (argv: string[]) => O,
  run: (options: O) => Promise<number>,
): void {
  toolMain(usage, parse, run).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
