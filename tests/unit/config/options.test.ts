import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../../src/cli/parse-command-line.js";
import {
  ConfigError,
  defaultConfig,
  OPTIONS,
  type OptionSpec,
  type OptionValue,
  optionsFromSources,
  resolveConfig,
} from "../../../src/config/index.js";

/** A value as one types it after the flag: lists comma separated, ranges as min-max. */
function asText(value: Exclude<OptionValue, null>): string {
  if (Array.isArray(value)) return value.join(",");
  if (typeof value === "object") return `${(value as { min: number }).min}-${(value as { max: number }).max}`;
  return String(value);
}

/** The value at a dotted config path. */
function at(config: object, path: string): unknown {
  return path.split(".").reduce<unknown>((o, key) => (o as Record<string, unknown>)[key], config);
}

/** Computed when the emulator starts (network interfaces, host name): no fixed text to compare. */
const computed = (spec: OptionSpec) => Object.getOwnPropertyDescriptor(spec, "default")?.get !== undefined;

/** Rows of the configuration table (`| `--a`, `--b` | `UPE_A`, `UPE_B` | default | … |`). */
function documentedRows(): { flags: string[]; envs: string[]; defaultCell: string }[] {
  const doc = readFileSync(new URL("../../../docs/configuration.md", import.meta.url), "utf8");
  const section = doc.slice(doc.indexOf("| flag | env |"));
  const rows: { flags: string[]; envs: string[]; defaultCell: string }[] = [];
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (!cells[1]?.startsWith("`--")) continue;
    rows.push({
      flags: [...cells[1].matchAll(/`--([a-z-]+)`/g)].map((m) => m[1]!),
      envs: [...(cells[2] ?? "").matchAll(/`(UPE_[A-Z_]+)`/g)].map((m) => m[1]!),
      defaultCell: cells[3] ?? "",
    });
  }
  return rows;
}

describe("the options table", () => {
  it("is what docs/configuration.md lists, flag for flag and variable for variable", () => {
    const rows = documentedRows();
    const flags = rows.flatMap((r) => r.flags);
    const envs = rows.flatMap((r) => r.envs);
    expect([...flags].sort()).toEqual(OPTIONS.map((o) => o.flag).sort());
    expect([...envs].sort()).toEqual(OPTIONS.map((o) => o.env).sort());
  });

  it("takes every default from its row, as a value its own flag accepts, landing where the flag writes", () => {
    const defaults = defaultConfig();
    for (const spec of OPTIONS) {
      const fromRow = spec.default;
      if (fromRow === null) {
        expect(at(defaults, spec.config), spec.key).toBeNull();
        continue;
      }
      const given = resolveConfig(optionsFromSources({}, { [spec.key]: asText(fromRow) }));
      expect(at(given, spec.config), spec.key).toEqual(at(defaults, spec.config));
    }
    // Seconds given, milliseconds kept.
    expect(defaults.sip.idleTimeoutMs).toBe(3_700_000);
    expect(resolveConfig(optionsFromSources({ UPE_SHUTDOWN_GRACE: "2" }, {})).shutdownGraceMs).toBe(2000);
  });

  it("shows each row's default in the documented table", () => {
    for (const { flags, defaultCell } of documentedRows()) {
      const specs = flags.map((f) => OPTIONS.find((o) => o.flag === f)!);
      if (specs.some((s) => s.default === null || computed(s))) continue;
      const expected = specs.map((s) => asText(s.default as Exclude<OptionValue, null>)).join(", ");
      expect(defaultCell, flags.join(", ")).toBe(expected);
    }
  });

  it("gives every setting a flag the command line accepts", () => {
    for (const option of OPTIONS) {
      const value = option.kind === "boolean" ? [] : ["1"];
      const parsed = parseCommandLine("start", [`--${option.flag}`, ...value]);
      expect(Object.keys(parsed.flags)).toEqual([option.key]);
    }
  });

  it("reads UPE_* variables, lets flags win, and applies the trace and registrar settings", () => {
    const options = optionsFromSources(
      {
        UPE_TRACE_BUFFER: "50",
        UPE_TRACE_FILE: "/tmp/trace.jsonl",
        UPE_DUPLICATE_REGISTRATION: "reject",
        UPE_SIP_PORT: "5061",
      },
      { tlsKeylog: "/tmp/keys.log", sipPort: "0" },
    );
    const config = resolveConfig(options);
    expect(config).toMatchObject({
      traceBuffer: 50,
      traceFile: "/tmp/trace.jsonl",
      tlsKeylog: "/tmp/keys.log",
      sip: { port: 0 },
    });
    expect(config.registrar.duplicateRegistration).toBe("reject");
  });

  it("advertises the bound address when bound to one, unless a host is given", () => {
    expect(resolveConfig({ bind: "127.0.0.1" }).host).toBe("127.0.0.1");
    expect(resolveConfig({ bind: "127.0.0.1", host: "pbx-gw.test" }).host).toBe("pbx-gw.test");
    expect(resolveConfig({ bind: "0.0.0.0" }).host).toBe(resolveConfig().host);
  });

  it("names the source of a bad value", () => {
    expect(() => optionsFromSources({ UPE_DUPLICATE_REGISTRATION: "maybe" }, {})).toThrow(
      new ConfigError(
        'UPE_DUPLICATE_REGISTRATION: must be one of allow, reject, last-wins, flap, got "maybe"',
      ),
    );
    expect(() => optionsFromSources({}, { traceBuffer: "-1" })).toThrow(
      /--trace-buffer: expected a whole number/,
    );
    expect(() => optionsFromSources({}, { sipPort: "70000" })).toThrow(/--sip-port: not a port number/);
  });
});
