import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FramerEvent, type SipRequest, StreamFramer } from "../../../../src/sip/message/index.js";

function message(cseq: number, body = "", extra: string[] = []): Buffer {
  const lines = [
    "MESSAGE sip:2131@emulator.test SIP/2.0",
    `Via: SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bK${cseq}`,
    "From: <sip:2130@pbx.test>;tag=f",
    "To: <sip:2131@emulator.test>",
    "Call-ID: framer@pbx.test",
    `CSeq: ${cseq} MESSAGE`,
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

function framer(maxMessageSize = 4096, maxHeaders = 32): StreamFramer {
  return new StreamFramer({ maxMessageSize, maxHeaders });
}

function pushAll(target: StreamFramer, data: Buffer, chunkSize: number): FramerEvent[] {
  const events: FramerEvent[] = [];
  for (let i = 0; i < data.length; i += chunkSize)
    events.push(...target.push(data.subarray(i, i + chunkSize)));
  return events;
}

function cseqs(events: FramerEvent[]): Array<number | string> {
  return events.map((e) => (e.type === "message" ? e.message.cseq.seq : e.type));
}

describe("StreamFramer", () => {
  it("frames one message from one chunk", () => {
    const f = framer();
    const data = message(1, "hello");
    const events = f.push(data);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "message", size: data.length });
    if (events[0]!.type === "message") expect(events[0]!.message.body.toString()).toBe("hello");
    expect(f.buffered).toBe(0);
  });

  it("frames one byte at a time, holding the partial message", () => {
    const f = framer();
    const data = message(1, "hello");
    for (let i = 0; i < data.length - 1; i++) {
      expect(f.push(data.subarray(i, i + 1))).toEqual([]);
      expect(f.buffered).toBe(i + 1);
    }
    expect(cseqs(f.push(data.subarray(data.length - 1)))).toEqual([1]);
    expect(f.buffered).toBe(0);
  });

  it.each([1, 2, 3, 7, 64, 1000])("frames pipelined messages in chunks of %d", (chunkSize) => {
    const data = Buffer.concat([
      message(1, "a"),
      message(2, ""),
      message(3, "x\r\n\r\ny"),
      message(4, "last"),
    ]);
    const events = pushAll(framer(), data, chunkSize);
    expect(cseqs(events)).toEqual([1, 2, 3, 4]);
    const third = events[2]!;
    if (third.type === "message") expect(third.message.body.toString()).toBe("x\r\n\r\ny");
  });

  it.each([1, 5, 64, 1000])(
    "hands out each message's own bytes as received (chunks of %d), keep-alives excluded",
    (chunkSize) => {
      const parts = [message(1, "a"), message(2, "", ["Subject: compact\tform"]), message(3, "x\r\n\r\ny")];
      const data = Buffer.concat([parts[0]!, Buffer.from("\r\n"), parts[1]!, parts[2]!]);
      const f = framer();
      const wires: string[] = [];
      for (let i = 0; i < data.length; i += chunkSize) {
        // Read at once: the view is only valid until the next push.
        for (const e of f.push(data.subarray(i, i + chunkSize)))
          if (e.type === "message") wires.push(e.wire.toString("latin1"));
      }
      expect(wires).toEqual(parts.map((p) => p.toString("latin1")));
    },
  );

  it("frames a binary body containing CRLFCRLF by Content-Length", () => {
    const body = Buffer.from([0, 13, 10, 13, 10, 255, 13, 10, 13, 10]);
    const head = message(1, "x".repeat(body.length));
    const data = Buffer.concat([head.subarray(0, head.length - body.length), body, message(2)]);
    const events = pushAll(framer(), data, 5);
    expect(cseqs(events)).toEqual([1, 2]);
    if (events[0]!.type === "message") expect(events[0]!.message.body.equals(body)).toBe(true);
  });

  it("copies what it keeps: reusing a pushed chunk does not change messages", () => {
    const data = Buffer.concat([message(1, "first"), message(2, "second")]);
    const chunk = Buffer.from(data.subarray(0, data.length - 10));
    const f = framer();
    const first = f.push(chunk);
    chunk.fill(0x41);
    const second = f.push(Buffer.from(data.subarray(data.length - 10)));
    const bodies = [...first, ...second].map((e) =>
      e.type === "message" ? e.message.body.toString() : e.type,
    );
    expect(bodies).toEqual(["first", "second"]);
  });

  describe("keep-alives (RFC 5626 §4.4.1)", () => {
    it("reports CRLFCRLF as ping and a lone CRLF as pong", () => {
      const f = framer();
      expect(f.push(Buffer.from("\r\n\r\n"))).toEqual([{ type: "ping" }]);
      expect(cseqs(f.push(Buffer.concat([Buffer.from("\r\n"), message(1)])))).toEqual(["pong", 1]);
      expect(cseqs(f.push(Buffer.concat([message(2), Buffer.from("\r\n\r\n"), message(3)])))).toEqual([
        2,
        "ping",
        3,
      ]);
      expect(f.buffered).toBe(0);
    });

    it("waits on a lone CRLF until it knows whether a ping follows, holding nothing", () => {
      const f = framer();
      expect(f.push(Buffer.from("\r\n"))).toEqual([]);
      expect(f.buffered).toBe(0);
      expect(f.push(Buffer.from("\r"))).toEqual([]);
      expect(f.buffered).toBe(0);
      expect(f.push(Buffer.from("\n"))).toEqual([{ type: "ping" }]);
      expect(f.push(Buffer.from("\r\n"))).toEqual([]);
      expect(cseqs(f.push(message(5)))).toEqual(["pong", 5]);
    });

    it("reads a ping split into single bytes", () => {
      expect(pushAll(framer(), Buffer.from("\r\n\r\n\r\n\r\n"), 1)).toEqual([
        { type: "ping" },
        { type: "ping" },
      ]);
    });
  });

  describe("errors", () => {
    it("answers an oversized header section with a fatal 513 and ignores later input", () => {
      const f = framer(200);
      const events = pushAll(f, Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nX-Pad: ${"p".repeat(300)}`), 50);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: "error",
        fatal: true,
        error: { status: 513, reason: "Message Too Large" },
      });
      if (events[0]!.type === "error") expect(events[0]!.error.partial).toBeUndefined();
      expect(f.buffered).toBe(0);
      expect(f.push(message(2))).toEqual([]);
    });

    it("answers headers plus Content-Length over the limit with a fatal 513 carrying a partial", () => {
      const data = message(1, "b".repeat(100));
      const events = framer(data.length - 1).push(data);
      expect(events[0]).toMatchObject({
        type: "error",
        fatal: true,
        error: { status: 513, code: "SIP_ERR_TOO_LARGE" },
      });
      if (events[0]!.type === "error")
        expect(events[0]!.error.partial?.headers.get("Call-ID")).toBe("framer@pbx.test");
      expect(cseqs(framer(data.length).push(data))).toEqual([1]);
    });

    it.each([
      [
        "missing",
        "SIP_ERR_CONTENT_LENGTH_MISSING",
        (m: Buffer) => m.toString().replace("Content-Length: 0\r\n", ""),
      ],
      [
        "negative",
        "SIP_ERR_CONTENT_LENGTH",
        (m: Buffer) => m.toString().replace("Content-Length: 0", "Content-Length: -999"),
      ],
      [
        "conflicting",
        "SIP_ERR_CONTENT_LENGTH",
        (m: Buffer) => m.toString().replace("Content-Length: 0", "l: 0\r\nl: 5"),
      ],
    ])("treats a %s Content-Length as fatal", (_name, code, edit) => {
      const f = framer();
      const events = f.push(Buffer.from(edit(message(1))));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: "error", fatal: true, error: { status: 400, code } });
      if (events[0]!.type === "error") expect(events[0]!.error.partial?.kind).toBe("request");
      expect(f.push(message(2))).toEqual([]);
    });

    it("reports too many headers without losing the framing", () => {
      const extra = Array.from({ length: 40 }, (_, i) => `X-H${i}: ${i}`);
      const events = framer(8192, 32).push(Buffer.concat([message(1, "body", extra), message(2)]));
      expect(events[0]).toMatchObject({
        type: "error",
        fatal: false,
        error: { code: "SIP_ERR_TOO_MANY_HEADERS" },
      });
      expect(cseqs(events)).toEqual(["error", 2]);
    });

    it("reports a malformed message and goes on with the next one", () => {
      const broken = Buffer.from(message(1).toString().replace("CSeq: 1 MESSAGE", "CSeq: 1 INVITE"));
      const badStatus = Buffer.from(
        "SIP/2.0 4294967301 x\r\nVia: SIP/2.0/TLS h\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nContent-Length: 2\r\n\r\nzz",
      );
      const events = pushAll(framer(), Buffer.concat([broken, badStatus, message(3)]), 9);
      expect(cseqs(events)).toEqual(["error", "error", 3]);
      expect(events[0]).toMatchObject({ fatal: false, error: { code: "SIP_ERR_CSEQ_MISMATCH" } });
      expect(events[1]).toMatchObject({ fatal: false, error: { code: "SIP_ERR_STATUS_CODE" } });
    });

    it("holds an incomplete body and reports it through buffered (RFC 4475 clerr)", () => {
      const f = framer();
      const data = message(1, "x".repeat(50));
      expect(f.push(data.subarray(0, data.length - 10))).toEqual([]);
      expect(f.buffered).toBe(data.length - 10);
      const events = f.push(data.subarray(data.length - 10));
      expect((events[0] as { message: SipRequest }).message.body.length).toBe(50);
    });
  });

  describe("pushUntilMessage: one message at a time, the rest left to the caller", () => {
    /** Frames `data` in chunks, each chunk a message at a time as the stream connection does. */
    function oneByOne(target: StreamFramer, data: Buffer, cuts: number[]) {
      const events: FramerEvent[] = [];
      const calls: { from: number; used: number }[] = [];
      let start = 0;
      for (const end of [...cuts, data.length]) {
        const chunk = Buffer.from(data.subarray(start, end));
        for (let at = 0; at < chunk.length; ) {
          const step = target.pushUntilMessage(chunk, at);
          events.push(...step.events);
          calls.push({ from: at, used: step.used });
          if (step.used <= 0) throw new Error("no progress");
          at += step.used;
        }
        start = end;
      }
      return { events, calls };
    }

    it("stops after the first message of a chunk and says how much it used", () => {
      const f = framer();
      const data = Buffer.concat([message(1), message(2, "body"), message(3)]);
      const first = f.pushUntilMessage(data, 0);
      expect(cseqs(first.events)).toEqual([1]);
      expect(first.used).toBe(message(1).length);
      expect(f.buffered).toBe(0);
      const second = f.pushUntilMessage(data, first.used);
      expect(cseqs(second.events)).toEqual([2]);
      expect(second.used).toBe(message(2, "body").length);
      expect(cseqs(f.pushUntilMessage(data, first.used + second.used).events)).toEqual([3]);
    });

    it("completes a held message from the next chunk and gives back what follows it", () => {
      const f = framer();
      const one = message(1);
      const two = message(2);
      expect(f.pushUntilMessage(one.subarray(0, 20), 0)).toEqual({ events: [], used: 20 });
      expect(f.buffered).toBe(20);
      const rest = Buffer.concat([one.subarray(20), two]);
      const step = f.pushUntilMessage(rest, 0);
      expect(cseqs(step.events)).toEqual([1]);
      expect(step.used).toBe(one.length - 20);
      expect(f.buffered).toBe(0);
      // A head complete but its body not: held until the body comes, every byte used.
      const withBody = message(3, "0123456789");
      const cut = withBody.length - 4;
      expect(f.pushUntilMessage(withBody.subarray(0, cut), 0)).toEqual({ events: [], used: cut });
      const end = f.pushUntilMessage(Buffer.concat([withBody.subarray(cut), two]), 0);
      expect(cseqs(end.events)).toEqual([3]);
      expect(end.used).toBe(4);
    });

    it("passes keep-alives before a message, and an unparsable message, as push does", () => {
      const f = framer();
      const bad = Buffer.from("NOT SIP AT ALL\r\nContent-Length: 0\r\n\r\n");
      const data = Buffer.concat([Buffer.from("\r\n\r\n\r\n"), bad, message(4)]);
      const first = f.pushUntilMessage(data, 0);
      expect(first.events.map((e) => e.type)).toEqual(["ping", "pong", "error"]);
      expect(first.events[2]).toMatchObject({ fatal: false });
      expect(first.used).toBe(6 + bad.length);
      expect(cseqs(f.pushUntilMessage(data, first.used).events)).toEqual([4]);
    });

    it("after a fatal error uses everything and frames nothing more", () => {
      const f = framer(64);
      const big = message(5, "x".repeat(100));
      const step = f.pushUntilMessage(Buffer.concat([big, message(6)]), 0);
      expect(step.events.map((e) => e.type)).toEqual(["error"]);
      expect(f.pushUntilMessage(message(7), 0)).toEqual({ events: [], used: message(7).length });
    });

    it("property: any chunking, a message at a time, frames what push frames", () => {
      const bodies = fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 6 });
      fc.assert(
        fc.property(bodies, fc.array(fc.nat(), { maxLength: 8 }), (list, rawCuts) => {
          const data = Buffer.concat(list.map((body, i) => message(i + 1, body)));
          const cuts = [...new Set(rawCuts.map((c) => c % data.length))]
            .filter((c) => c > 0)
            .sort((a, b) => a - b);
          const expected = framer().push(data);
          const { events, calls } = oneByOne(framer(), data, cuts);
          expect(cseqs(events)).toEqual(cseqs(expected));
          expect(events.map((e) => (e.type === "message" ? e.message.body.toString() : e.type))).toEqual(
            expected.map((e) => (e.type === "message" ? e.message.body.toString() : e.type)),
          );
          // Every call but one that ends a chunk stops right after a message.
          expect(calls.every((c) => c.used > 0)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  });
});
