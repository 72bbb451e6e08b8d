import { type ChildProcess, fork } from "node:child_process";

/** A request to a bench child process and its reply (one JSON message each over the IPC channel). */
export interface RpcRequest {
  readonly id: number;
  readonly cmd: string;
  readonly args: Record<string, unknown>;
}
export type RpcReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** The 20 ms media frame every leg sends: 50 packets per second each way, 160 octets of G.711. */
export const FRAME_MS = 20;
export const FRAME_BYTES = 160;
/** At most this many frames are sent at once to catch up after a late timer. */
export const MAX_CATCH_UP = 5;

/**
 * The runner's handle on one child (forked with the runner's loader flags so it also runs from
 * TypeScript under tsx): `call(cmd, args)` resolves with the child's result or rejects with its
 * error, the child's exit or the timeout.
 */
export class RpcChild {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  private exited: string | null = null;

  constructor(
    entry: string,
    readonly name: string,
    extraExecArgv: readonly string[] = [],
  ) {
    this.child = fork(entry, [], { execArgv: [...process.execArgv, ...extraExecArgv], stdio: "inherit" });
    this.child.on("message", (reply: RpcReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.result);
      else waiter?.reject(new Error(`${name}: ${reply.error}`));
    });
    this.child.on("exit", (code, signal) => {
      this.exited = `${name} exited (code ${code}, signal ${signal})`;
      for (const waiter of this.pending.values()) waiter.reject(new Error(this.exited));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no reply to ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, cmd, args } satisfies RpcRequest);
    });
  }

  /** Lets the child exit on its own (so a --cpu-prof profile gets written), killing it after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }
}

/** The child's side: runs each request through `handlers` and replies; exits when the parent goes. */
export function serveRpc(handlers: Record<string, (args: Record<string, unknown>) => unknown>): void {
  process.on("message", (request: RpcRequest) => {
    const reply = (message: RpcReply) => process.send?.(message);
    Promise.resolve()
      .then(() => {
        const handler = handlers[request.cmd];
        if (!handler) throw new Error(`unknown command ${request.cmd}`);
        return handler(request.args);
      })
      .then(
        (result) => reply({ id: request.id, ok: true, result: result ?? null }),
        (error: unknown) =>
          reply({ id: request.id, ok: false, error: String((error as Error)?.message ?? error) }),
      );
  });
  process.on("disconnect", () => process.exit(0));
}

/**
 * Paces a set of senders at one frame per FRAME_MS each from a shared timer, catching up (at
 * most MAX_CATCH_UP frames) when the event loop ran late, so every leg sends 50 pps on average.
 */
export class FramePacer {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private framesSent = 0;

  constructor(private readonly sendFrame: () => void) {}

  start(): void {
    this.startedAt = performance.now();
    this.framesSent = 0;
    this.timer = setInterval(() => this.tick(), FRAME_MS / 2);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const due = Math.floor((performance.now() - this.startedAt) / FRAME_MS) - this.framesSent;
    const now = Math.min(due, MAX_CATCH_UP);
    for (let i = 0; i < now; i += 1) this.sendFrame();
    // Frames beyond the catch-up limit are skipped, not sent late in a burst.
    this.framesSent += due;
  }
}
