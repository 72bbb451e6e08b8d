import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../../src/cli/parse-command-line.js";
import { ConfigError, OPTIONS, optionsFromSources, resolveConfig } from "../../../src/config/index.js";

/** Flags and variables of README's configuration table (`| --a, --b | UPE_A, UPE_B | … |`). */
function readmeTable(): { flags: string[]; envs: string[] } {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Configuration"));
  const flags: string[] = [];
  const envs: string[] = [];
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (!cells[1]?.startsWith("`--")) continue;
    flags.push(...[...cells[1].matchAll(/`--([a-z-]+)`/g)].map((m) => m[1]!));
    envs.push(...[...(cells[2] ?? "").matchAll(/`(UPE_[A-Z_]+)`/g)].map((m) => m[1]!));
  }
  return { flags, envs };
}

describe("the options table", () => {
  it("is what README's configuration table lists, flag for flag and variable for variable", () => {
    const { flags, envs } = readmeTable();
    expect([...flags].sort()).toEqual(OPTIONS.map((o) => o.flag).sort());
    expect([...envs].sort()).toEqual(OPTIONS.map((o) => o.env).sort());
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
