import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SentMessage, TransportName } from "./fuzz-context.js";
import type { FindingKind } from "./reproduce.js";

export interface FindingRecord {
  readonly kind: FindingKind;
  readonly seed: number;
  readonly detail: string;
  /** The single message that reproduces the finding alone, shrunk; absent when none did. */
  readonly reproducer?: {
    readonly transport: TransportName;
    readonly steps: readonly string[];
    readonly originalBytes: number;
    readonly bytes: number;
    readonly tests: number;
    /** The shrunk message, base64 (also written raw as reproducer.bin). */
    readonly base64: string;
  };
  /** Else: the messages of one connection that reproduce it in order, shrunk (base64). */
  readonly sequence?: {
    readonly transport: TransportName;
    readonly connection: string;
    readonly originalMessages: number;
    readonly tests: number;
    readonly base64: readonly string[];
  };
  /** The last messages sent before the finding, oldest first (base64). */
  readonly recent: ReadonlyArray<{
    transport: TransportName;
    connection: string;
    steps: readonly string[];
    base64: string;
  }>;
  /** Tail of the emulator's output (stack trace of a crash). */
  readonly output: string;
}

/** Writes <dir>/<kind>-seed<seed>-<time>/finding.json (+ reproducer.bin); returns the folder. */
export function writeFinding(dir: string, record: FindingRecord): string {
  const folder = resolve(
    join(dir, `${record.kind}-seed${record.seed}-${new Date().toISOString().replace(/[:.]/g, "-")}`),
  );
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "finding.json"), `${JSON.stringify(record, null, 2)}\n`);
  if (record.reproducer) {
    writeFileSync(join(folder, "reproducer.bin"), Buffer.from(record.reproducer.base64, "base64"));
  }
  return folder;
}

export function recentEntries(recent: readonly SentMessage[]): FindingRecord["recent"] {
  return recent.map((m) => ({
    transport: m.transport,
    connection: `${m.transport}#${m.worker}.${m.connection}`,
    steps: m.steps,
    base64: m.bytes.toString("base64"),
  }));
}

export function readFinding(path: string): FindingRecord {
  return JSON.parse(readFileSync(path, "utf8")) as FindingRecord;
}
