import { GCProfiler } from "node:v8";
import { Registry } from "prom-client";
import { registrationMetrics, sipMetrics } from "../src/metrics/index.js";
import type { RegisterAttempt } from "../src/registrar/index.js";
import { DiagnoseEvidence } from "../src/services/index.js";
import { SystemClock } from "../src/shared/clock.js";
import { Listeners } from "../src/shared/listeners.js";
import { createResponse, parseMessage, type SipRequest, serialize } from "../src/sip/message/index.js";
import type { SipConnection, SipTrafficTap } from "../src/sip/transport/index.js";
import { TraceRecorder } from "../src/traces/index.js";
import { digestAuthorization } from "./digest-client.js";
import { registerText } from "./sip-wire.js";

/**
 * Micro-benchmark of the work beside SIP processing on every message (issue 16): the
 * metrics tap, the trace tap and the REGISTER-outcome listeners, fed a refresh's REGISTER
 * in and 200 out on 16 connections. Prints ns per message and the GCs the run caused.
 * Run: npx tsx bench/taps-micro.ts [messages]
 */
const MESSAGES = Math.min(Number(process.argv[2] ?? 400_000), 5_000_000);
const CONNECTIONS = 16;

const connections: SipConnection[] = Array.from({ length: CONNECTIONS }, (_, i) => ({
  id: `c${i + 1}`,
  protocol: "TLS",
  reliable: true,
  remoteAddress: "127.0.0.1",
  remotePort: 40_000 + i,
  localAddress: "127.0.0.1",
  localPort: 5061,
  open: true,
  send: () => true,
  close: () => {},
}));

/** One REGISTER (as framed from the wire) and its 200 per connection. */
const exchanges = connections.map((connection, i) => {
  const user = `49891234${String(i).padStart(4, "0")}`;
  const authorization = digestAuthorization(user, "0".repeat(32), "bmonce".repeat(8), 7, "cn0nce");
  const text = registerText({
    user,
    port: connection.remotePort,
    branch: `b${i}x`,
    tag: `t${i}`,
    callId: `call-${i}@bench`,
    cseq: 7,
    authorization,
  });
  const inBytes = Buffer.from(text, "latin1");
  const request = parseMessage(inBytes) as SipRequest;
  const response = createResponse(request, 200, "OK", "srvtag");
  response.headers.set(
    "Contact",
    `<sip:${user}@127.0.0.1:${connection.remotePort};transport=tls>;expires=600`,
  );
  return { connection, inBytes, request, response, outBytes: serialize(response) };
});

interface GcSample {
  readonly gcType: string;
  readonly cost: number;
  readonly beforeGC: { readonly heapSpaceStatistics: readonly SpaceStats[] };
  readonly afterGC: { readonly heapSpaceStatistics: readonly SpaceStats[] };
}
interface SpaceStats {
  readonly spaceName: string;
  readonly spaceUsedSize: number;
}

const oldSpace = (spaces: readonly SpaceStats[]) =>
  spaces.find((s) => s.spaceName === "old_space")?.spaceUsedSize ?? 0;

function measure(name: string, perMessage: (i: number) => void, messages = MESSAGES): void {
  for (let i = 0; i < 20_000; i++) perMessage(i);
  const profiler = new GCProfiler();
  profiler.start();
  const started = process.hrtime.bigint();
  for (let i = 0; i < messages; i++) perMessage(i);
  const ns = Number(process.hrtime.bigint() - started) / messages;
  const samples = (profiler.stop()?.statistics ?? []) as unknown as GcSample[];
  const scavenges = samples.filter((s) => s.gcType === "Scavenge");
  // What scavenges moved to the old space: the allocations that outlived the young generation.
  const promoted = scavenges.reduce(
    (sum, s) => sum + oldSpace(s.afterGC.heapSpaceStatistics) - oldSpace(s.beforeGC.heapSpaceStatistics),
    0,
  );
  const cost = samples.reduce((sum, s) => sum + s.cost, 0);
  console.log(
    `${name.padEnd(30)} ${ns.toFixed(0).padStart(5)} ns/msg | ${scavenges.length} scavenges, ${samples.length - scavenges.length} other GCs, ${(promoted / messages).toFixed(0)} B/msg promoted, GC ${((cost / 1000 / messages) * 1e6).toFixed(0)} ns/msg`,
  );
}

/**
 * Alternates REGISTER in and 200 out, round robin over the connections. `fresh`: a new 200
 * each time (its CSeq not parsed yet, as in the emulator), else the same one again.
 */
function feed(tap: SipTrafficTap | undefined, message: "none" | "reused" | "fresh"): (i: number) => void {
  return (i) => {
    const x = exchanges[(i >> 1) % CONNECTIONS]!;
    if (i & 1) {
      const response = message === "fresh" ? createResponse(x.request, 200, "OK", "srvtag") : x.response;
      tap?.sent(x.outBytes, x.connection, message === "none" ? undefined : response);
    } else tap?.received(x.inBytes, x.connection, message === "none" ? undefined : x.request);
  };
}

const sources = {
  transactions: { counts: { server: 0, client: 0, retransmitted: 0, absorbed: 0 } },
  transportEvents: new Listeners<never>(),
};
const metricsTap = sipMetrics(new Registry(), sources);
// As the emulator's resolver: a new owner object per lookup.
const trace = new TraceRecorder({
  capacity: 10_000,
  maxBytes: 64 * 1024 * 1024,
  clock: new SystemClock(),
  resolve: (id) => ({ tenantId: "tenant-1", trunkId: `trunk-${id}`, trunkName: "gtc-001" }),
});

const attempts = new Listeners<RegisterAttempt>();
registrationMetrics(new Registry(), {
  attempts,
  unknownAccounts: new Listeners(),
  availableConnectors: () => 0,
  trunkBindings: () => 0,
  clientBindings: () => 0,
  shortcutRefreshes: () => 0,
});
new DiagnoseEvidence({
  now: () => Date.now(),
  trunkStatus: new Listeners(),
  attempts,
  transport: new Listeners(),
});
const attemptsFor = connections.map((c, i) => ({
  trunkId: `trunk-${i}`,
  status: 200,
  reason: "OK",
  at: 0,
  remote: `${c.remoteAddress}:${c.remotePort}`,
}));

const runs: [string, (i: number) => void][] = [
  ["metrics tap, bytes only", feed(metricsTap, "none")],
  ["metrics tap, message", feed(metricsTap, "reused")],
  ["new 200 per message, no tap", feed(undefined, "fresh")],
  ["metrics tap, message, new 200", feed(metricsTap, "fresh")],
  ["trace tap", feed(trace.tap, "reused")],
  ["register attempt listeners", (i) => attempts.emit(attemptsFor[i % CONNECTIONS]!)],
];
for (const [name, run] of runs) measure(name, run);
