import { describe, expect, it } from "vitest";
import { SseStream } from "../../../src/api/sse-stream.js";

const BIG = "x".repeat(4096);

/** A stream whose body nobody reads yet: what a peer that stopped reading looks like. */
function unread() {
  const finished: SseStream[] = [];
  const stream = new SseStream((s) => finished.push(s));
  return { stream, finished };
}

function readAll(stream: SseStream): string {
  let text = "";
  for (let chunk = stream.body.read(); chunk !== null; chunk = stream.body.read()) text += String(chunk);
  return text;
}

describe("SseStream", () => {
  it("writes events as id, event and one JSON data line", () => {
    const { stream } = unread();
    stream.send("clock", { frozen: true }, 7);
    expect(readAll(stream)).toBe('id: 7\nevent: clock\ndata: {"frozen":true}\n\n');
  });

  it("drops events instead of buffering once the reader falls behind, and asks it to resync when it catches up", async () => {
    const { stream } = unread();
    for (let i = 0; i < 100; i++) stream.send("call", { i, pad: BIG });
    // Bounded: the high-water mark plus the one write that crossed it, not 100 × 4 KiB.
    expect(stream.body.writableLength + stream.body.readableLength).toBeLessThan(64 * 1024);
    expect(stream.droppedEvents).toBeGreaterThan(80);
    const dropped = stream.droppedEvents;

    let text = "";
    stream.body.on("data", (chunk) => {
      text += String(chunk);
    });
    await new Promise((resolve) => stream.body.once("drain", resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(text).toContain(`event: resync\ndata: {"dropped":${dropped}}\n\n`);
    expect(stream.droppedEvents).toBe(0);
    stream.send("call", { after: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(text.endsWith('event: call\ndata: {"after":true}\n\n')).toBe(true);
  });

  it("cuts off a reader that stays behind over two keep-alive ticks", () => {
    const { stream, finished } = unread();
    for (let i = 0; i < 20; i++) stream.send("call", { pad: BIG });
    stream.keepAlive();
    expect(stream.open).toBe(true);
    stream.keepAlive();
    expect(stream.open).toBe(false);
    expect(stream.body.destroyed).toBe(true);
    expect(finished).toEqual([stream]);
  });

  it("sends keep-alive comments to a reader that keeps up, and ends once", () => {
    const { stream, finished } = unread();
    stream.keepAlive();
    stream.keepAlive();
    expect(readAll(stream)).toBe(": keep-alive\n\n: keep-alive\n\n");
    stream.end();
    stream.end();
    stream.send("call", {});
    expect(finished).toEqual([stream]);
  });
});
