/**
 * SIP message layer throughput: `npx tsx bench/parser.ts`.
 * Every loop runs on one thread, so the rates are per core. Each loop is bounded both by
 * time and by an iteration count.
 */
import { cpus } from "node:os";
import { Core } from "sip.js";
import { parseMessage, type SipMessage, serialize } from "../src/sip/message/index.js";

const REGISTER = Buffer.from(
  [
    "REGISTER sip:phoneapp.unify.com SIP/2.0",
    "Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK776asdhds;rport",
    "Max-Forwards: 70",
    "To: <sip:3919209257@phoneapp.unify.com>",
    "From: <sip:3919209257@phoneapp.unify.com>;tag=456248",
    "Call-ID: 843817637684230@998sdasdh09",
    "CSeq: 1826 REGISTER",
    "Contact: <sip:3919209257@192.0.2.10:5061;transport=tls>;expires=600",
    'Authorization: Digest username="3919209257", realm="phoneapp.unify.com", nonce="84a4cc6f3082121f32b42a2187831a9e", uri="sip:phoneapp.unify.com", response="7587245234b3434cc3412213e5f113a5"',
    "User-Agent: OpenScape Business V3R3",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n"),
);

const SDP = [
  "v=0",
  "o=OSBiz 2890844526 2890844526 IN IP4 192.0.2.10",
  "s=-",
  "c=IN IP4 192.0.2.10",
  "t=0 0",
  "m=audio 49170 RTP/AVP 8 0 18 101",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:18 G729/8000",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-15",
  "a=ptime:20",
  "a=sendrecv",
  "",
].join("\r\n");

const INVITE = Buffer.from(
  [
    "INVITE sip:+4923026672131@phoneapp.unify.com SIP/2.0",
    "Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK74bf9;rport",
    "Max-Forwards: 70",
    'From: "Al Ace" <sip:2130@192.0.2.10>;tag=9fxced76sl',
    "To: <sip:+4923026672131@phoneapp.unify.com>",
    "Call-ID: 3848276298220188511@192.0.2.10",
    "CSeq: 2 INVITE",
    "Contact: <sip:2130@192.0.2.10:5061;transport=tls>",
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, INFO, UPDATE, PRACK",
    "Supported: replaces, timer, 100rel",
    "Session-Expires: 1800;refresher=uac",
    "Content-Type: application/sdp",
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    "",
    SDP,
  ].join("\r\n"),
);

interface Result {
  name: string;
  iterations: number;
  seconds: number;
}

/** Runs `step` in batches until `seconds` have passed or `maxIterations` steps ran. */
function measure(name: string, seconds: number, maxIterations: number, step: () => void): Result {
  const batch = 64;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  let iterations = 0;
  while (iterations < maxIterations && performance.now() < deadline) {
    for (let i = 0; i < batch; i++) step();
    iterations += batch;
  }
  return { name, iterations, seconds: (performance.now() - start) / 1000 };
}

function report(result: Result): void {
  const rate = result.iterations / result.seconds;
  const micros = (result.seconds * 1e6) / result.iterations;
  console.log(
    `${result.name.padEnd(34)} ${Math.round(rate).toLocaleString("en-US").padStart(12)} msg/s  ${micros.toFixed(2).padStart(9)} µs/msg  (${result.iterations.toLocaleString("en-US")} in ${result.seconds.toFixed(2)} s)`,
  );
}

let sink = 0;

function parseAndRead(data: Buffer): () => void {
  return () => {
    const message = parseMessage(data);
    sink += message.callId.length + message.cseq.seq + message.topVia.host.length;
    sink += message.from.params.tag?.length ?? 0;
  };
}

function serializeOnly(message: SipMessage): () => void {
  return () => {
    sink += serialize(message).length;
  };
}

const silent = { log() {}, debug() {}, warn() {}, error() {} } as unknown as Core.Logger;

function sipJs(data: Buffer): () => void {
  const text = data.toString("utf8");
  return () => {
    const message = Core.Parser.parseMessage(text, silent);
    sink += message?.callId.length ?? 0;
  };
}

console.log(
  `SIP message layer benchmark — node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}, one core`,
);
console.log(
  `REGISTER ${REGISTER.length} bytes, INVITE ${INVITE.length} bytes (SDP ${Buffer.byteLength(SDP)})\n`,
);

for (const [label, data] of [
  ["REGISTER", REGISTER],
  ["INVITE+SDP", INVITE],
] as const) {
  measure("warm-up", 0.3, 200_000, parseAndRead(data));
  measure("warm-up", 0.2, 200_000, serializeOnly(parseMessage(data)));
  report(measure(`${label} parse + field access`, 2, 50_000_000, parseAndRead(data)));
  report(measure(`${label} serialize`, 2, 50_000_000, serializeOnly(parseMessage(data))));
  const ours = measure("ours", 1, 50_000_000, parseAndRead(data));
  const theirs = measure(`${label} sip.js Core.Parser`, 1, 100_000, sipJs(data));
  report(theirs);
  const ratio = ours.iterations / ours.seconds / (theirs.iterations / theirs.seconds);
  console.log(`${"".padEnd(34)} ours is ${ratio.toFixed(0)}x sip.js\n`);
}

if (sink === 0) console.log("(unreachable: keeps the work observable)");
