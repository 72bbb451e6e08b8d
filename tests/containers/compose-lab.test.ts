import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { OPTIONS, optionsFromSources, resolveConfig } from "../../src/config/index.js";

/**
 * compose.lab.yaml (docs/lab-osbiz.md) against what a lab OSBiz expects — the HowTo's ports:
 * HTTPS 443, SIP/TLS 65061, STUN 3478 UDP and TCP, an RTP range — and against the emulator
 * it runs: the options, the image's ports, volumes and healthcheck (as compose.yaml has them).
 * No container engine needed.
 */
const root = resolve(import.meta.dirname, "../..");
const lab = parse(readFileSync(resolve(root, "compose.lab.yaml"), "utf8"));
const base = parse(readFileSync(resolve(root, "compose.yaml"), "utf8"));
const emulator = lab.services.emulator;
/** A value of null is a bare name: the shell's value when it has one, else unset. */
const environment = emulator.environment as Record<string, string | null>;
const text = readFileSync(resolve(root, "compose.lab.yaml"), "utf8");

/**
 * What compose makes of the file with `shell` as the shell's variables: `${VAR:-default}`,
 * and `${VAR:?message}` which refuses to run (throws) when VAR is unset or empty.
 */
function interpolate(text: string, shell: Record<string, string> = {}): string {
  return text.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_all, name: string, kind?: string, rest = "") => {
    const value = shell[name];
    if (value !== undefined && value !== "") return value;
    if (kind === "?") throw new Error(`${name}: ${rest}`);
    return kind === "-" ? rest : "";
  });
}

const option = (key: string) => {
  const spec = OPTIONS.find((o) => o.key === key);
  if (!spec) throw new Error(`no option ${key}`);
  return spec;
};

const LAB_SHELL = { UPE_HOST: "192.168.1.50", UPE_ADMIN_TOKEN: "lab-admin-token-1" };

/** The container's environment as compose gives it with `shell` as the shell's variables. */
function containerEnv(shell: Record<string, string>): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(environment).map(([k, v]) => [k, v === null ? shell[k] : interpolate(v, shell)]),
  );
}

/** The published ports as [host port, container port/protocol] with the shell's variables. */
function published(shell: Record<string, string> = LAB_SHELL): [string, string][] {
  return (emulator.ports as string[]).map((p) => {
    const [, host = "", container = ""] = interpolate(p, shell).split(":");
    return [host, container];
  });
}

describe("compose.lab.yaml", () => {
  it("sets only variables the emulator reads", () => {
    const known = new Set<string>(OPTIONS.map((o) => o.env));
    expect(Object.keys(environment).filter((name) => !known.has(name))).toEqual([]);
  });

  it("has no empty default (a colon-dash and nothing): podman-compose 1.0.3 passes it on as text", () => {
    expect(text).not.toMatch(/\$\{\w+:?-\}/);
  });

  it("refuses to start without the admin token and the address the PBX reaches", () => {
    for (const name of ["UPE_ADMIN_TOKEN", "UPE_HOST"]) {
      const value = String(environment[name]);
      expect(value).toMatch(new RegExp(`^\\$\\{${name}:\\?.+\\}$`));
      expect(() => interpolate(value, {})).toThrow(name);
      expect(interpolate(value, LAB_SHELL)).toBe(LAB_SHELL[name as keyof typeof LAB_SHELL]);
    }
  });

  it("gives the emulator a configuration it accepts: the shell's host and token, the key log off unless set", () => {
    const config = resolveConfig(optionsFromSources(containerEnv(LAB_SHELL), {}));
    expect(config.host).toBe("192.168.1.50");
    expect(config.adminToken).toBe("lab-admin-token-1");
    expect(config.tlsKeylog).toBeNull();
    expect(config.traceFile).toBeNull();
    const traced = containerEnv({
      ...LAB_SHELL,
      UPE_TLS_KEYLOG: "/data/k.log",
      UPE_TRACE_FILE: "/data/t.jsonl",
    });
    expect(resolveConfig(optionsFromSources(traced, {})).tlsKeylog).toBe("/data/k.log");
    expect(resolveConfig(optionsFromSources(traced, {})).traceFile).toBe("/data/t.jsonl");
    // The container's own listeners stay on the image's defaults, which the ports map.
    expect(config.httpsPort).toBe(Number(option("httpsPort").default));
    expect(config.sip.port).toBe(Number(option("sipPort").default));
    expect(config.stunPort).toBe(Number(option("stunPort").default));
  });

  it("keeps STUN on the container's wildcard address, also for a 127.x host (no second IP in a container)", () => {
    for (const host of ["127.0.0.1", "192.168.1.50"]) {
      const config = resolveConfig(optionsFromSources(containerEnv({ ...LAB_SHELL, UPE_HOST: host }), {}));
      expect(config.stunAlternateAddress).toBe("off");
      expect(config.bind).toBe("0.0.0.0");
    }
  });

  it("publishes the HowTo's ports: 443 to the emulator's HTTPS port, 65061, and STUN 3478 over UDP and TCP", () => {
    const ports = published();
    expect(ports).toContainEqual(["443", `${option("httpsPort").default}/tcp`]);
    expect(ports).toContainEqual(["65061", `${option("sipPort").default}/tcp`]);
    expect(ports).toContainEqual(["3478", `${option("stunPort").default}/udp`]);
    expect(ports).toContainEqual(["3478", `${option("stunPort").default}/tcp`]);
    expect(String(option("sipPort").default)).toBe("65061");
    expect(String(option("stunPort").default)).toBe("3478");
  });

  it("publishes on every address of the host, or on the one LAB_PUBLISH_ADDRESS names", () => {
    const addresses = (shell: Record<string, string>) =>
      new Set((emulator.ports as string[]).map((p) => interpolate(p, shell).split(":")[0]));
    expect([...addresses(LAB_SHELL)]).toEqual(["0.0.0.0"]);
    expect([...addresses({ ...LAB_SHELL, LAB_PUBLISH_ADDRESS: "192.168.1.50" })]).toEqual(["192.168.1.50"]);
  });

  it("publishes the RTP range it gives the emulator, the same ports on both sides", () => {
    const rtp = published().find(([, container]) => container.endsWith("/udp") && container.includes("-"));
    expect(rtp).toBeDefined();
    const [host = "", container = ""] = rtp ?? [];
    const range = containerEnv(LAB_SHELL).UPE_RTP_PORTS ?? "";
    expect(host).toBe(range);
    expect(container).toBe(`${range}/udp`);
    const config = resolveConfig(optionsFromSources({ UPE_RTP_PORTS: range }, {}));
    // RTP on the even ports, RTCP above each: 100 ports are 50 calls, more than the HowTo's 16 lines.
    expect(config.rtpPorts.max - config.rtpPorts.min + 1).toBe(100);
    // Another range from the shell moves both sides and the emulator's setting together.
    const moved = published({ ...LAB_SHELL, UPE_RTP_PORTS: "40000-40099" }).find(([h]) => h.includes("-"));
    expect(moved).toEqual(["40000-40099", "40000-40099/udp"]);
    expect(containerEnv({ ...LAB_SHELL, UPE_RTP_PORTS: "40000-40099" }).UPE_RTP_PORTS).toBe("40000-40099");
  });

  it("reads stub mappings from a folder of the host, where --mappings-dir points, and records only when asked", () => {
    const config = resolveConfig(optionsFromSources(containerEnv(LAB_SHELL), {}));
    const mount = (emulator.volumes as string[])
      .map((v) => interpolate(v))
      .find((v) => v.endsWith(":/mappings"));
    expect(mount).toBe("./lab-mappings:/mappings");
    expect(config.mappingsDir).toBe("/mappings");
    expect(config.record).toBe(false);
    expect(
      resolveConfig(optionsFromSources(containerEnv({ ...LAB_SHELL, UPE_RECORD: "1" }), {})).record,
    ).toBe(true);
  });

  it("runs the image compose.yaml builds, with its volumes and healthcheck", () => {
    expect(emulator.image).toBe(base.services.emulator.image);
    expect(emulator.build).toBe(base.services.emulator.build);
    expect(emulator.healthcheck).toEqual(base.services.emulator.healthcheck);
    for (const dir of ["/data", "/certs"]) {
      const mount = (emulator.volumes as string[]).find((v) => v.split(":")[1] === dir) ?? "";
      expect(Object.keys(lab.volumes)).toContain(mount.split(":")[0]);
    }
    // Its own volumes and project name: the lab's state is not compose.yaml's.
    expect(lab.name).not.toBe(base.name);
    expect(Object.keys(lab.volumes).filter((v) => v in base.volumes)).toEqual([]);
  });
});
