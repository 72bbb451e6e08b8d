import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** The repository root: the nearest directory above `from` with the emulator's package.json. */
export function repositoryRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "unify-phone-emulator") {
      return dir;
    }
  }
  throw new Error(`no unify-phone-emulator package.json above ${from}`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when dist/main.js is missing or older than a file under src/; returns its path. */
export function freshBuild(root: string): string {
  const main = join(root, "dist", "main.js");
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(root, "src"))) return main;
  console.log("dist/ is older than src/: npm run build");
  try {
    execFileSync("npm", ["run", "build"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      timeout: 300_000,
    });
  } catch (error) {
    // tsc still emits when only types fail (e.g. a folder mid-edit): go on if it did.
    if (!existsSync(main)) throw error;
    console.log("npm run build reported errors (above); benchmarking what it emitted");
  }
  return main;
}

export interface ServerMemory {
  /** VmRSS, bytes */
  readonly rss: number;
  /** VmHWM (peak RSS since start or the last resetPeak), bytes */
  readonly peak: number;
}

export interface RestServer {
  readonly pid: number;
  readonly origin: string;
  /** the SIP over TLS port, from the banner */
  readonly sipPort: number;
  readonly ca: string;
  memory(): ServerMemory;
  /** user + system CPU the process has used, seconds (proc(5) stat fields 14 and 15) */
  cpuSeconds(): number;
  /** Starts a new VmHWM window (proc(5) clear_refs "5"); false where the kernel refuses. */
  resetPeak(): boolean;
  /** SIGTERM, SIGKILL after 10 s; resolves once it is gone. */
  stop(): Promise<void>;
}

export interface RestServerOptions {
  readonly mainPath: string;
  /** the SQLite data dir; absent: --ephemeral (in memory) */
  readonly dataDir?: string;
  readonly seedPath: string;
  readonly certsDir: string;
  readonly adminToken: string;
}

/** `node dist/main.js` on 127.0.0.1, resolved when its banner's `ready:` line shows the HTTPS port. */
export async function startRestServer(options: RestServerOptions): Promise<RestServer> {
  const child = spawn(
    process.execPath,
    [
      options.mainPath,
      ...(options.dataDir === undefined ? ["--ephemeral"] : ["--data-dir", options.dataDir]),
      ...["--bind", "127.0.0.1", "--sip-port", "0", "--https-port", "0", "--stun-port", "off"],
      ...["--seed", options.seedPath, "--certs-dir", options.certsDir],
      ...["--admin-token", options.adminToken, "--log-level", "warn"],
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const port = await readyPort(child, () => output);
  const sipPort = Number(/^ready: sip=(\d+)/m.exec(output)?.[1]);
  const pid = child.pid!;
  const status = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(
      readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return match ? Number(match[1]) * 1024 : 0;
  };
  return {
    pid,
    origin: `https://127.0.0.1:${port}`,
    sipPort,
    ca: readFileSync(join(options.certsDir, "ca.pem"), "utf8"),
    memory: () => ({ rss: status("VmRSS"), peak: status("VmHWM") }),
    cpuSeconds: () => {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The command name (field 2) may contain spaces: count from its closing ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    resetPeak: () => {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, "5");
        return true;
      } catch {
        return false;
      }
    },
    stop: () => stop(child),
  };
}

function readyPort(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the emulator was not ready after 120 s:\n${output()}`));
    }, 120_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited during start (code ${code}):\n${output()}`));
    };
    child.once("exit", onExit);
    const onData = () => {
      const ready = /^ready: .*https=(\d+)/m.exec(output());
      if (!ready) return;
      clearTimeout(timer);
      child.off("exit", onExit);
      child.stdout!.off("data", onData);
      resolve(Number(ready[1]));
    };
    child.stdout!.on("data", onData);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
