import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "./until.js";

/**
 * A Docker-compatible engine for the container tests: DOCKER_HOST when it is set, otherwise
 * `podman system service` on a unix socket in a temp dir. The image under test is
 * UPE_CONTAINER_IMAGE when set, otherwise built from this checkout's Dockerfile with podman.
 */
export const IMAGE = process.env.UPE_CONTAINER_IMAGE ?? "unify-phone-emulator";

function hasPodman(): boolean {
  return spawnSync("podman", ["--version"], { stdio: "ignore", timeout: 10_000 }).status === 0;
}

/**
 * Why the container tests do not run, or null when they do. They are asked for with
 * UPE_CONTAINER_TESTS=1 (`npm run test:containers`): a cold image build takes minutes, and a
 * container starting changes the network interfaces, which makes Chromium abort requests of
 * the browser tests running beside it in `npm test`.
 */
export function containerSkipReason(): string | null {
  if (process.env.UPE_CONTAINER_TESTS !== "1") return "not asked for (npm run test:containers runs them)";
  if (process.env.DOCKER_HOST) {
    if (process.env.UPE_CONTAINER_IMAGE || hasPodman()) return null;
    return "DOCKER_HOST is set but neither UPE_CONTAINER_IMAGE nor podman (to build the image) is";
  }
  return hasPodman() ? null : "podman is not installed and DOCKER_HOST is not set";
}

/**
 * podman refuses to start a container whose default open-files and process limits (1048576)
 * exceed what a sandbox allows; a containers.conf caps them at our hard limits (processes
 * also at 32768: some sandboxes refuse more even below the hard limit).
 */
function containersConf(dir: string): string | null {
  if (process.env.CONTAINERS_CONF) return process.env.CONTAINERS_CONF;
  const limits = (
    [
      ["nofile", "-Hn", 1_048_576],
      ["nproc", "-Hu", 32_768],
    ] as const
  ).flatMap(([name, flag, most]) => {
    const hard = spawnSync("sh", ["-c", `ulimit ${flag}`], {
      encoding: "utf8",
      timeout: 5_000,
    }).stdout.trim();
    const value = Math.min(/^\d+$/.test(hard) ? Number(hard) : most, most);
    return [`"${name}=${value}:${value}"`];
  });
  if (limits.length === 0) return null;
  const file = join(dir, "containers.conf");
  writeFileSync(file, `[containers]\ndefault_ulimits = [${limits.join(", ")}]\n`);
  return file;
}

function podmanEnv(conf: string | null): NodeJS.ProcessEnv {
  return conf ? { ...process.env, CONTAINERS_CONF: conf } : process.env;
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: "/_ping", timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

export interface ContainerEngine {
  /**
   * What Testcontainers must read: DOCKER_HOST, Ryuk off (its image cannot be pulled here)
   * and, for our own podman service, 127.0.0.1 as the host of the mapped ports (inside a
   * container Testcontainers would otherwise use the bridge's gateway address).
   */
  readonly env: Readonly<Record<string, string>>;
  /** Builds the image from `context` with podman; returns the build's wall time in ms. */
  buildImage(context: string, limitMs: number): Promise<number>;
  close(): Promise<void>;
}

/** DOCKER_HOST as given, or a fresh `podman system service` that close() stops. */
export async function startContainerEngine(): Promise<ContainerEngine> {
  const dir = mkdtempSync(join(tmpdir(), "upe-podman-"));
  const conf = hasPodman() ? containersConf(dir) : null;
  let service: ChildProcess | undefined;
  let dockerHost = process.env.DOCKER_HOST;
  if (!dockerHost) {
    const socket = join(dir, "podman.sock");
    service = spawn("podman", ["system", "service", "--time=0", `unix://${socket}`], {
      env: podmanEnv(conf),
      stdio: "ignore",
    });
    const child = service;
    await until(
      async () => (existsSync(socket) && (await ping(socket))) || child.exitCode !== null,
      "podman's socket",
      20_000,
    );
    if (child.exitCode !== null) throw new Error(`podman system service exited with ${child.exitCode}`);
    dockerHost = `unix://${socket}`;
  }
  const local: Record<string, string> = service ? { TESTCONTAINERS_HOST_OVERRIDE: "127.0.0.1" } : {};
  return {
    env: { DOCKER_HOST: dockerHost, TESTCONTAINERS_RYUK_DISABLED: "true", ...local },
    buildImage: (context, limitMs) => podmanBuild(context, conf, limitMs),
    async close() {
      if (service && service.exitCode === null) {
        const exited = new Promise((resolve) => service?.once("exit", resolve));
        service.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `podman build` of the Dockerfile in `context` as IMAGE (docker format keeps HEALTHCHECK). */
function podmanBuild(context: string, conf: string | null, limitMs: number): Promise<number> {
  const started = Date.now();
  const args = ["build", "--format", "docker", "-t", IMAGE, context];
  const child = spawn("podman", args, { env: podmanEnv(conf), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const timer = setTimeout(() => child.kill("SIGTERM"), limitMs);
  return new Promise((resolve, reject) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Date.now() - started);
      else reject(new Error(`podman ${args.join(" ")} failed (${signal ?? code}):\n${output}`));
    });
  });
}
