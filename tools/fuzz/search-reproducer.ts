import type { EmulatorStartOptions } from "../lib/emulator-process.js";
import type { FindingRecord } from "./findings.js";
import type { SentMessage, TransportName } from "./fuzz-context.js";
import { minimise, minimiseBytes } from "./minimise.js";
import { type FindingKind, Reproducer } from "./reproduce.js";

/** Connections (or datagram sockets) whose whole message sequence is tried when no single message reproduces. */
const SEQUENCES_TRIED = 8;

export interface SearchResult {
  readonly reproducer?: FindingRecord["reproducer"];
  readonly sequence?: FindingRecord["sequence"];
}

/**
 * Looks for the smallest input that brings the finding back on a fresh emulator: first one
 * message alone (a crash: newest first; a hang: those sent after the last answered probe,
 * oldest first), shrunk byte-wise; else the messages of one connection in order, shrunk
 * message-wise. Bounded by `seconds`.
 */
export async function searchReproducer(
  start: EmulatorStartOptions,
  probeTrunk: string,
  hangMs: number,
  kind: FindingKind,
  recent: readonly SentMessage[],
  lastGoodProbe: number,
  seconds: number,
): Promise<SearchResult> {
  if (kind === "rss" || seconds <= 0) return {};
  const deadline = Date.now() + seconds * 1000;
  const candidates =
    kind === "hang"
      ? [
          ...recent.filter((m) => m.at >= lastGoodProbe - 1000),
          ...recent.filter((m) => m.at < lastGoodProbe - 1000).reverse(),
        ]
      : [...recent].reverse();
  console.log(`minimising: replaying up to ${candidates.length} messages one by one (≤ ${seconds} s)`);
  const replayer = new Reproducer(start, probeTrunk, hangMs);
  try {
    for (const candidate of candidates) {
      if (Date.now() >= deadline) break;
      if (!(await replayer.reproduces(kind, candidate.transport, [candidate.bytes]))) continue;
      const shrunk = await minimiseBytes(
        candidate.bytes,
        (bytes) => replayer.reproduces(kind, candidate.transport, [bytes]),
        { maxTests: 1000, deadline },
      );
      console.log(
        `reproduced by one ${candidate.transport} message: ${candidate.bytes.length} → ${shrunk.bytes.length} bytes`,
      );
      return {
        reproducer: {
          transport: candidate.transport,
          steps: candidate.steps,
          originalBytes: candidate.bytes.length,
          bytes: shrunk.bytes.length,
          tests: shrunk.tests,
          base64: shrunk.bytes.toString("base64"),
        },
      };
    }
    for (const group of connectionsNewestFirst(recent).slice(0, SEQUENCES_TRIED)) {
      if (Date.now() >= deadline) break;
      const messages = group.messages.map((m) => m.bytes);
      if (!(await replayer.reproduces(kind, group.transport, messages))) continue;
      const shrunk = await minimise(messages, (list) => replayer.reproduces(kind, group.transport, list), {
        maxTests: 300,
        deadline,
      });
      console.log(
        `reproduced by the messages of ${group.key} in order: ${messages.length} → ${shrunk.items.length} messages`,
      );
      return {
        sequence: {
          transport: group.transport,
          connection: group.key,
          originalMessages: messages.length,
          tests: shrunk.tests,
          base64: shrunk.items.map((b) => b.toString("base64")),
        },
      };
    }
  } finally {
    await replayer.close();
  }
  console.log(
    "no single message or connection sequence reproduces it alone; finding.json keeps the last messages",
  );
  return {};
}

interface ConnectionGroup {
  readonly key: string;
  readonly transport: TransportName;
  readonly messages: SentMessage[];
  last: number;
}

function connectionsNewestFirst(recent: readonly SentMessage[]): ConnectionGroup[] {
  const groups = new Map<string, ConnectionGroup>();
  for (const m of recent) {
    const key = `${m.transport}#${m.worker}.${m.connection}`;
    const group = groups.get(key) ?? { key, transport: m.transport, messages: [], last: 0 };
    group.messages.push(m);
    group.last = Math.max(group.last, m.at);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.last - a.last);
}

/** What `--replay` sends: the shrunk message, else the shrunk sequence, else each recent message alone. */
export async function replayFinding(
  start: EmulatorStartOptions,
  probeTrunk: string,
  hangMs: number,
  record: FindingRecord,
): Promise<boolean> {
  const replayer = new Reproducer(start, probeTrunk, hangMs);
  const decode = (b64: string) => Buffer.from(b64, "base64");
  try {
    if (record.reproducer) {
      return await replayer.reproduces(record.kind, record.reproducer.transport, [
        decode(record.reproducer.base64),
      ]);
    }
    if (record.sequence) {
      return await replayer.reproduces(
        record.kind,
        record.sequence.transport,
        record.sequence.base64.map(decode),
      );
    }
    for (const message of record.recent) {
      if (await replayer.reproduces(record.kind, message.transport, [decode(message.base64)])) return true;
    }
    return false;
  } finally {
    await replayer.close();
  }
}
