/**
 * Property-based tests of the SIP parser (issue 9) with fast-check: valid messages survive
 * parse → serialize byte for byte, arbitrary and damaged input only ever fails with
 * SipParseError, and the stream framer neither throws nor depends on how bytes are chunked.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type FramerEvent,
  parseMessage,
  type SipMessage,
  SipParseError,
  StreamFramer,
  serialize,
} from "../../../../src/sip/message/index.js";

const METHODS = [
  "INVITE",
  "ACK",
  "BYE",
  "CANCEL",
  "OPTIONS",
  "REGISTER",
  "INFO",
  "UPDATE",
  "REFER",
  "NOTIFY",
];

const user = fc.stringMatching(/^[a-z0-9][a-z0-9.+-]{0,11}$/);
const host = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}(\.[a-z][a-z0-9-]{0,8}){0,2}$/), fc.ipV4());
const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.-]{0,15}$/);
const sipUri = fc.tuple(fc.constantFrom("sip", "sips"), user, host).map(([s, u, h]) => `${s}:${u}@${h}`);
/** Printable ASCII without CR/LF, not starting or ending with whitespace. */
const headerValue = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);
const extensionHeader = fc
  .tuple(fc.stringMatching(/^X-[A-Za-z0-9-]{1,12}$/), headerValue)
  .map(([name, value]) => `${name}: ${value}`);
const body = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes));

/** The header lines every request and response needs, in a random order, with extension headers. */
function headerLines(method: string, cseqMethodOverride?: string) {
  return fc
    .record({
      from: fc.tuple(sipUri, word),
      to: fc.tuple(sipUri, fc.option(word, { nil: undefined })),
      callId: fc.tuple(word, fc.option(host, { nil: undefined })),
      cseq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      branch: word,
      viaHost: host,
      port: fc.integer({ min: 1, max: 65_535 }),
      transport: fc.constantFrom("TLS", "TCP", "UDP", "WSS"),
      hops: fc.integer({ min: 0, max: 255 }),
      extra: fc.array(extensionHeader, { maxLength: 6 }),
    })
    .chain((f) =>
      fc.shuffledSubarray(
        [
          `Via: SIP/2.0/${f.transport} ${f.viaHost}:${f.port};branch=z9hG4bK${f.branch}`,
          `From: <${f.from[0]}>;tag=${f.from[1]}`,
          `To: <${f.to[0]}>${f.to[1] === undefined ? "" : `;tag=${f.to[1]}`}`,
          `Call-ID: ${f.callId[0]}${f.callId[1] === undefined ? "" : `@${f.callId[1]}`}`,
          `CSeq: ${f.cseq} ${cseqMethodOverride ?? method}`,
          `Max-Forwards: ${f.hops}`,
          ...f.extra,
        ],
        { minLength: 6 + f.extra.length },
      ),
    );
}

function wire(startLine: string, lines: readonly string[], content: Buffer): Buffer {
  const head = `${startLine}\r\n${lines.join("\r\n")}\r\nContent-Length: ${content.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), content]);
}

const validRequest = fc
  .tuple(fc.constantFrom(...METHODS), sipUri)
  .chain(([method, uri]) =>
    fc
      .tuple(headerLines(method), body)
      .map(([lines, content]) => wire(`${method} ${uri} SIP/2.0`, lines, content)),
  );

const validResponse = fc
  .tuple(
    fc.integer({ min: 100, max: 699 }),
    fc.stringMatching(/^[A-Za-z]([A-Za-z ]{0,20}[A-Za-z])?$/),
    fc.constantFrom(...METHODS),
  )
  .chain(([status, reason, method]) =>
    fc
      .tuple(headerLines(method), body)
      .map(([lines, content]) => wire(`SIP/2.0 ${status} ${reason}`, lines, content)),
  );

const validMessage = fc.oneof(validRequest, validResponse);

/** A valid message damaged by a few byte edits (set, insert, delete). */
const damagedMessage = fc
  .tuple(
    validMessage,
    fc.array(
      fc.record({
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
        op: fc.constantFrom("set", "insert", "delete"),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([bytes, edits]) => {
    let out = Buffer.from(bytes);
    for (const edit of edits) {
      const at = edit.at % (out.length + 1);
      if (edit.op === "insert")
        out = Buffer.concat([out.subarray(0, at), Buffer.from([edit.byte]), out.subarray(at)]);
      else if (edit.op === "delete") out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
      else if (at < out.length) out[at] = edit.byte;
    }
    return out;
  });

const anyInput = fc.oneof(
  damagedMessage,
  fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ maxLength: 400 }).map((text) => Buffer.from(text, "utf8")),
);

/** Reads every lazily parsed field, as the transaction layer and the core do. */
function touch(message: SipMessage): void {
  void message.callId;
  void message.cseq;
  void message.from;
  void message.to;
  void message.topVia;
  void message.vias;
  if (message.kind === "request") {
    void message.maxForwards;
    void message.requestUri;
  }
}

/** Runs `action`; anything thrown must be a SipParseError with a 4xx/5xx status and a reason. */
function onlySipParseError(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof SipParseError)) throw error;
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.status).toBeLessThan(600);
    expect(error.reason).not.toBe("");
  }
}

function messagesOf(events: FramerEvent[]): Buffer[] {
  return events.flatMap((e) => (e.type === "message" ? [serialize(e.message)] : []));
}

describe("SIP parser properties", () => {
  it("serialize(parse(x)) gives back x byte for byte for valid requests and responses", () => {
    fc.assert(
      fc.property(validMessage, (bytes) => {
        const message = parseMessage(bytes);
        expect(serialize(message).equals(bytes)).toBe(true);
        // Datagram mode reads the same message.
        expect(serialize(parseMessage(bytes, { datagram: true })).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("parse of arbitrary or damaged bytes throws nothing but SipParseError, in stream and datagram mode", () => {
    fc.assert(
      fc.property(anyInput, fc.boolean(), (bytes, datagram) => {
        onlySipParseError(() => touch(parseMessage(bytes, { datagram })));
      }),
      { numRuns: 1000 },
    );
  });

  it("the stream framer never throws, however arbitrary bytes are chunked", () => {
    fc.assert(
      fc.property(
        fc.array(anyInput, { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (inputs, cuts) => {
          const data = Buffer.concat(inputs);
          const framer = new StreamFramer({ maxMessageSize: 4096, maxHeaders: 64 });
          for (const chunk of chunked(data, cuts)) {
            for (const event of framer.push(chunk)) {
              if (event.type === "message") onlySipParseError(() => touch(event.message));
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("the stream framer yields the same messages whatever the chunking", () => {
    fc.assert(
      fc.property(
        fc.array(validMessage, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (messages, cuts) => {
          const data = Buffer.concat(messages);
          const framer = new StreamFramer({ maxMessageSize: 65_536, maxHeaders: 64 });
          const events = chunked(data, cuts).flatMap((chunk) => framer.push(chunk));
          expect(events.every((e) => e.type === "message")).toBe(true);
          const hex = (list: Buffer[]) => list.map((bytes) => bytes.toString("hex"));
          expect(hex(messagesOf(events))).toEqual(hex(messages));
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Splits `data` at the given offsets (taken modulo its length). */
function chunked(data: Buffer, cuts: readonly number[]): Buffer[] {
  if (data.length === 0) return [];
  const points = [...new Set(cuts.map((c) => c % data.length))].filter((p) => p > 0).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    out.push(data.subarray(from, point));
    from = point;
  }
  out.push(data.subarray(from));
  return out;
}
