import { setTimeout as sleep } from "node:timers/promises";
import { EmulatorProcess, type EmulatorStartOptions } from "../lib/emulator-process.js";
import type { TransportName } from "./fuzz-context.js";
import { probe, sendSequence } from "./probe.js";

export type FindingKind = "crash" | "hang" | "rss";

/**
 * Replays candidate messages against an emulator of its own, restarted after each
 * reproduction (a crashed or hung process cannot judge the next candidate).
 */
export class Reproducer {
  #emulator: EmulatorProcess | undefined;
  starts = 0;

  constructor(
    private readonly start: EmulatorStartOptions,
    private readonly trunkUser: string,
    private readonly hangMs: number,
  ) {}

  /** True when sending `messages` on one connection of `transport` makes the emulator crash or hang again. */
  async reproduces(
    kind: FindingKind,
    transport: TransportName,
    messages: readonly Buffer[],
  ): Promise<boolean> {
    if (kind === "rss") return false;
    const emulator = await this.#ready();
    try {
      await sendSequence(emulator, transport, messages, 300);
    } catch {
      // A refused or reset connection is judged below by the process state and the probe.
    }
    let reproduced: boolean;
    if (kind === "crash") {
      reproduced = await Promise.race([emulator.exited.then(() => true), sleep(1000).then(() => false)]);
    } else {
      reproduced = await probe(emulator, this.trunkUser, this.hangMs).then(
        () => false,
        () => true,
      );
    }
    if (reproduced || !emulator.alive) {
      emulator.kill();
      await emulator.exited;
      this.#emulator = undefined;
    }
    return reproduced;
  }

  async close(): Promise<void> {
    await this.#emulator?.stop(3000);
    this.#emulator = undefined;
  }

  async #ready(): Promise<EmulatorProcess> {
    if (this.#emulator?.alive) return this.#emulator;
    this.starts++;
    this.#emulator = await EmulatorProcess.start(this.start);
    return this.#emulator;
  }
}
