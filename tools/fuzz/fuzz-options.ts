import { parseArgs } from "node:util";
import { COMMON_OPTIONS, intOption, randomSeed } from "../lib/tool-cli.js";

export interface FuzzOptions {
  readonly seconds: number;
  readonly seed: number;
  readonly tlsConnections: number;
  readonly wsConnections: number;
  readonly udpSockets: number;
  readonly stunSockets: number;
  readonly probeIntervalMs: number;
  readonly hangMs: number;
  readonly rssLimitMb: number;
  readonly findings: string;
  readonly minimiseSeconds: number;
  readonly fromSource: boolean;
  readonly replay: string | undefined;
  readonly nodeArgs: readonly string[];
  readonly serverArgs: readonly string[];
  readonly help: boolean;
}

export const USAGE = `npm run fuzz -- [options]    (the emulator is dist/main.js: npm run build first)

  --seconds N            how long to fuzz (default 60)
  --seed N               PRNG seed; the same seed sends the same messages (default: random, printed)
  --tls N                concurrent TLS connections (default 4)
  --ws N                 concurrent WebSocket connections (default 2)
  --udp N                UDP debug-listener sockets (default 1)
  --stun N               STUN sockets (default 1)
  --probe-interval MS    liveness probe period (default 2000)
  --hang MS              a probe unanswered this long is a hang (default 10000)
  --rss-limit MB         RSS growth over the start that counts as a finding (default 400)
  --findings DIR         where reproducers go (default fuzz-findings)
  --minimise-seconds N   time budget for shrinking a finding (default 120)
  --from-source          run src/main.ts through tsx instead of dist/main.js
  --replay FILE          replay a finding.json against a fresh emulator and say whether it reproduces
  --server-arg ARG       one more emulator flag (repeat: --server-arg=--trace-buffer --server-arg=0)
  --node-arg ARG         one more option for the emulator's node (repeatable)`;

export function parseFuzzOptions(argv: string[]): FuzzOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_OPTIONS,
      tls: { type: "string" },
      ws: { type: "string" },
      udp: { type: "string" },
      stun: { type: "string" },
      "probe-interval": { type: "string" },
      hang: { type: "string" },
      "rss-limit": { type: "string" },
      findings: { type: "string" },
      "minimise-seconds": { type: "string" },
      replay: { type: "string" },
      "server-arg": { type: "string", multiple: true },
      "node-arg": { type: "string", multiple: true },
    },
    strict: true,
  });
  return {
    seconds: intOption("seconds", values.seconds, 60, 1),
    seed: intOption("seed", values.seed, randomSeed(), 0),
    tlsConnections: intOption("tls", values.tls, 4, 0),
    wsConnections: intOption("ws", values.ws, 2, 0),
    udpSockets: intOption("udp", values.udp, 1, 0),
    stunSockets: intOption("stun", values.stun, 1, 0),
    probeIntervalMs: intOption("probe-interval", values["probe-interval"], 2000, 100),
    hangMs: intOption("hang", values.hang, 10_000, 100),
    rssLimitMb: intOption("rss-limit", values["rss-limit"], 400, 1),
    findings: values.findings ?? "fuzz-findings",
    minimiseSeconds: intOption("minimise-seconds", values["minimise-seconds"], 120, 0),
    fromSource: values["from-source"] ?? false,
    replay: values.replay,
    nodeArgs: values["node-arg"] ?? [],
    serverArgs: values["server-arg"] ?? [],
    help: values.help ?? false,
  };
}
