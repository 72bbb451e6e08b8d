import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pinnedCommand } from "./pin.js";
import { readCpuSeconds } from "./proc-stats.js";

const CONFIGS = fileURLToPath(new URL("./kamailio/", import.meta.url));

export const KAMAILIO_INSTALL_HINT =
  "kamailio with its TLS module is needed for --compare kamailio: `sudo apt-get install kamailio kamailio-tls-modules` (Debian/Ubuntu)";

/** Debian's multiarch module dir holding tls.so and auth.so, or undefined when not installed. */
export function kamailioModules(): string | undefined {
  if (spawnSync("kamailio", ["-v"], { encoding: "utf8" }).status !== 0) return undefined;
  return readdirSync("/usr/lib", { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join("/usr/lib", d.name, "kamailio", "modules"))
    .find((dir) => existsSync(join(dir, "tls.so")) && existsSync(join(dir, "auth.so")));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** The pids of `root` and all its descendants (Kamailio forks a process per worker). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process exited while we listed /proc.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length && i < 1000; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

export interface KamailioProcess {
  readonly pid: number;
  readonly port: number;
  /** utime + stime of the main process and every worker it forked. */
  cpuSeconds(): number;
  stop(graceMs: number): Promise<void>;
  kill(): void;
}

/**
 * Kamailio as the reference TLS registrar (bench/kamailio/registrar.cfg): digest auth for
 * the bench trunks with `secret`, bindings in memory, one TLS worker, pinned to `core`.
 */
export async function startKamailio(o: {
  dir: string;
  modules: string;
  secret: string;
  core: number | undefined;
  startTimeoutMs: number;
}): Promise<KamailioProcess> {
  const port = await freePort();
  const values: Record<string, string> = {
    DIR: o.dir,
    MODULES: o.modules,
    PORT: String(port),
    SECRET: o.secret,
  };
  const render = (file: string) =>
    readFileSync(join(CONFIGS, file), "utf8").replace(
      /@([A-Z]+)@/g,
      (whole, key: string) => values[key] ?? whole,
    );
  const cert = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"].concat([
      "-subj",
      "/CN=phoneapp.unify.com",
      "-keyout",
      join(o.dir, "kam-key.pem"),
      "-out",
      join(o.dir, "kam-cert.pem"),
    ]),
    { encoding: "utf8", timeout: 10_000 },
  );
  if (cert.status !== 0) throw new Error(`openssl could not make Kamailio's certificate: ${cert.stderr}`);
  writeFileSync(join(o.dir, "tls.cfg"), render("tls.cfg"));
  const cfg = join(o.dir, "kamailio.cfg");
  writeFileSync(cfg, render("registrar.cfg"));
  // -DD: foreground with its workers; -E: log to stderr; -Y: runtime dir we can write.
  // -x fm: the fast shared-memory allocator. Debian's build defaults to q_malloc with memory
  // debugging (DBG_SR_MEMORY), and the tls module routes every OpenSSL allocation through shm:
  // with it Kamailio cost 138 / 71 µs per full / refresh registration, with fm 32 / 21 µs (the
  // issue's reference figures). See bench/kamailio/README.md.
  const [command, args] = pinnedCommand(o.core, "kamailio", [
    "-f",
    cfg,
    "-DD",
    "-E",
    "-x",
    "fm",
    "-m",
    "256",
    "-M",
    "16",
    "-Y",
    o.dir,
  ]);
  // The emulator's TLS 1.3 suite order (Kamailio's tls.cfg cannot set TLS 1.3 suites).
  const env = { ...process.env, OPENSSL_CONF: join(CONFIGS, "openssl.cnf") };
  const child = spawn(command, args, { cwd: o.dir, stdio: ["ignore", "ignore", "pipe"], env });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  });
  await waitListening(child, port, o.startTimeoutMs, () => output);
  const pid = child.pid ?? 0;
  return {
    pid,
    port,
    cpuSeconds: () => {
      let total = 0;
      for (const p of processTree(pid)) {
        try {
          total += readCpuSeconds(p);
        } catch {
          // A worker that exited has nothing left to count.
        }
      }
      return total;
    },
    stop: (graceMs) => stopChild(child, graceMs),
    kill: () => {
      // SIGKILL of the main process alone leaves its workers running: kill the whole tree.
      if (pid <= 0) return;
      for (const p of processTree(pid).reverse()) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          // Gone already.
        }
      }
    },
  };
}

/** Polls (bounded) until the TLS port accepts a TCP connection. */
async function waitListening(
  child: ChildProcess,
  port: number,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (let attempt = 0; attempt < 1000 && performance.now() < until; attempt++) {
    if (child.exitCode !== null) throw new Error(`kamailio exited during start:\n${output()}`);
    if (await connects(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`kamailio not listening on ${port} after ${timeoutMs} ms:\n${output()}`);
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export interface FloorProcess {
  readonly pid: number;
  readonly port: number;
  kill(): void;
}

/** bench/tls-floor-server.ts in its own process (same loader flags, so it runs under tsx too), pinned to `core`. */
export async function startTlsFloor(o: {
  dir: string;
  core: number | undefined;
  startTimeoutMs: number;
}): Promise<FloorProcess> {
  const self = fileURLToPath(import.meta.url);
  const entry = fileURLToPath(new URL(`./tls-floor-server${extname(self)}`, import.meta.url));
  const [command, args] = pinnedCommand(o.core, process.execPath, [
    ...process.execArgv,
    entry,
    join(o.dir, "kam-key.pem"),
    join(o.dir, "kam-cert.pem"),
  ]);
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`TLS floor server not listening after ${o.startTimeoutMs} ms`));
    }, o.startTimeoutMs);
    child.once("exit", (code) => reject(new Error(`TLS floor server exited (code ${code})`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const m = /^port (\d+)/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve(Number(m[1]));
    });
  });
  return {
    pid: child.pid ?? 0,
    port,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
