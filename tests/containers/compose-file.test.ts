import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseMockOsbizArgs } from "../../src/cli/mock-osbiz-command.js";
import { OPTIONS } from "../../src/config/index.js";

/**
 * compose.yaml against what it runs: the Dockerfile (ports, volumes, healthcheck), the
 * emulator's options and the seed it names, and the mock OSBiz's command line. Runs
 * everywhere, without a container engine; tests/containers/testcontainers.test.ts and
 * docs/containers.md cover running the image.
 */
const root = resolve(import.meta.dirname, "../..");
const compose = parse(readFileSync(resolve(root, "compose.yaml"), "utf8"));
const dockerfile = readFileSync(resolve(root, "Dockerfile"), "utf8");
const emulator = compose.services.emulator;
const mock = compose.services["mock-osbiz"];

/** What compose makes of `${VAR:-default}` with VAR unset (plain `${VAR}` would be empty). */
function interpolate(text: string): string {
  return text.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_all, _name, fallback = "") => fallback);
}

/** The runtime stage's `INSTRUCTION args` lines (the last FROM on), continuations joined. */
function runtime(instruction: string): string[] {
  const stage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM ")).replace(/\\\n\s*/g, " ");
  return [...stage.matchAll(new RegExp(`^${instruction} (.+)$`, "gm"))].map((m) => (m[1] ?? "").trim());
}

const option = (key: string) => {
  const spec = OPTIONS.find((o) => o.key === key);
  if (!spec) throw new Error(`no option ${key}`);
  return spec;
};
const env = (name: string): string => interpolate(String(emulator.environment[name] ?? ""));

describe("compose.yaml", () => {
  it("sets only variables the emulator reads", () => {
    const known = new Set<string>(OPTIONS.map((o) => o.env));
    expect(Object.keys(emulator.environment).filter((name) => !known.has(name))).toEqual([]);
  });

  it("publishes the ports the image exposes, which are the emulator's defaults", () => {
    const published = (emulator.ports as string[]).map((p) => interpolate(p).split(":").at(-1));
    const exposed = runtime("EXPOSE").flatMap((line) => line.split(/\s+/));
    const listeners = [
      `${option("sipPort").default}/tcp`,
      `${option("httpsPort").default}/tcp`,
      `${option("stunPort").default}/udp`,
    ];
    // STUN over TCP is published but not exposed (see the Dockerfile's EXPOSE).
    const stunTcpOn = ["true", "on"].includes(String(option("stunTcp").default));
    const stunTcp = stunTcpOn ? [`${option("stunPort").default}/tcp`] : [];
    expect(exposed.sort()).toEqual([...listeners].sort());
    expect(published.sort()).toEqual(expect.arrayContaining([...listeners, ...stunTcp].sort()));
  });

  it("publishes the RTP range it gives the emulator, the same ports on both sides", () => {
    const rtp = (emulator.ports as string[]).find((p) => p.includes("UPE_RTP_PORTS")) ?? "";
    const [host, container] = interpolate(rtp)
      .replace(/\/udp$/, "")
      .split(":");
    expect(rtp).toMatch(/\/udp$/);
    expect(host).toBe(env("UPE_RTP_PORTS"));
    expect(container).toBe(env("UPE_RTP_PORTS"));
    const [min = 0, max = 0] = (container ?? "").split("-").map(Number);
    expect(max - min + 1).toBeGreaterThanOrEqual(2);
    expect(max - min + 1).toBeLessThanOrEqual(100);
  });

  it("keeps data and certificates in named volumes where the image keeps them", () => {
    const declared = runtime("VOLUME").join(" ");
    const env = runtime("ENV").join(" ");
    for (const [dir, variable] of [
      ["/data", "UPE_DATA_DIR"],
      ["/certs", "UPE_CERTS_DIR"],
    ]) {
      expect(declared).toContain(`"${dir}"`);
      expect(env).toContain(`${variable}=${dir}`);
      const mount = (emulator.volumes as string[]).find((v) => v.split(":")[1] === dir) ?? "";
      expect(Object.keys(compose.volumes)).toContain(mount.split(":")[0]);
    }
  });

  it("checks health on /readyz over HTTPS at the emulator's port, like the image's HEALTHCHECK", () => {
    const test = (emulator.healthcheck.test as string[]).join(" ");
    const image = runtime("HEALTHCHECK").join(" ");
    for (const text of [test, image]) {
      expect(text).toContain("require('https')");
      expect(text).toContain("path:'/readyz'");
      expect(text).toContain(`${option("httpsPort").default}`);
    }
    expect(emulator.healthcheck.test[0]).toBe("CMD-SHELL");
    expect(test).not.toContain("$"); // compose would interpolate it
  });

  it("runs the mock OSBiz from the same image, with a command line the mock accepts", () => {
    expect(mock.image).toBe(emulator.image);
    expect(emulator.build).toBe(".");
    expect(mock.depends_on.emulator.condition).toBe("service_healthy");
    const argv = (mock.command as string[]).map(interpolate);
    expect(argv[0]).toBe("mock-osbiz");
    const ca = argv.indexOf("--ca");
    const parsed = parseMockOsbizArgs([...argv.slice(1, ca), ...argv.slice(ca + 2)]);
    if (parsed === "help") throw new Error("the mock's command asks for help");
    expect(new URL(parsed.url).hostname).toBe("emulator");
    expect(new URL(parsed.url).port).toBe(`${option("httpsPort").default}`);
    // The CA the emulator writes into its certs volume, mounted read-only.
    const certs = (emulator.volumes as string[]).find((v) => v.endsWith(":/certs"))?.split(":")[0];
    expect(mock.volumes).toContain(`${certs}:/certs:ro`);
    expect(argv[ca + 1]).toBe("/certs/ca.pem");
  });

  it("gives the mock the API key and system of the seed the emulator applies, shipped in the image", () => {
    const seedPath = env("UPE_SEED");
    expect(seedPath).toMatch(/^\/app\/examples\//);
    expect(runtime("COPY")).toContain("examples ./examples");
    const seed = parse(readFileSync(resolve(root, seedPath.replace(/^\/app\//, "")), "utf8"));
    const argv = (mock.command as string[]).map(interpolate);
    const flag = (name: string) => argv[argv.indexOf(name) + 1];
    const tenant = seed.tenants.find((t: { apiKey?: string }) => t.apiKey === flag("--api-key"));
    expect(tenant).toBeDefined();
    expect(tenant.systems.map((s: { systemId: string }) => s.systemId)).toContain(flag("--system-id"));
    // The mock reaches the emulator by its service name, which the certificate must name.
    expect(env("UPE_HOST")).toBe("emulator");
  });
});
