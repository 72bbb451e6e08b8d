import { parseArgs } from "node:util";
import { OPTIONS, type OptionKey } from "../config/index.js";

export interface CommandLine {
  readonly command: string;
  readonly flags: Partial<Record<OptionKey, string | boolean>>;
  readonly extra: Record<string, string | boolean | undefined>;
  readonly help: boolean;
}

/**
 * `unify-phone-emulator [command] [--flag value]…`. The flags of the settings come from
 * the options table; `extra` declares a command's own flags (e.g. `certs --force`).
 */
export function parseCommandLine(
  command: string,
  argv: readonly string[],
  extra: Record<string, { type: "string" | "boolean" }> = {},
): CommandLine {
  const settings = Object.fromEntries(
    OPTIONS.map((o) => [o.flag, { type: o.kind === "boolean" ? ("boolean" as const) : ("string" as const) }]),
  );
  const parsed = parseArgs({
    args: [...argv],
    options: { ...settings, ...extra, help: { type: "boolean", short: "h" } },
    allowPositionals: false,
    strict: true,
  });
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const flags: Partial<Record<OptionKey, string | boolean>> = {};
  for (const o of OPTIONS) {
    const v = values[o.flag];
    if (v !== undefined) flags[o.key] = v as string | boolean;
  }
  const extraValues: Record<string, string | boolean | undefined> = {};
  for (const name of Object.keys(extra)) extraValues[name] = values[name] as string | boolean | undefined;
  return { command, flags, extra: extraValues, help: values.help === true };
}

export function usage(): string {
  const lines = [
    "Usage: unify-phone-emulator [start|certs|mock-osbiz] [options]",
    "",
    "Commands:",
    "  start   run the emulator (default)",
    "  certs   (re)generate the CA and server certificate, print the CA path and fingerprint",
    "          --force regenerates even when valid files exist",
    "  mock-osbiz  a stand-in OSBiz: provisions, registers, answers and places calls (mock-osbiz --help)",
    "",
    "Options (each also an environment variable):",
  ];
  for (const o of OPTIONS) {
    const flag = `--${o.flag}${o.kind === "boolean" ? "" : " <value>"}`;
    lines.push(`  ${flag.padEnd(38)} ${o.env.padEnd(32)} ${o.help}`);
  }
  return lines.join("\n");
}
