import { describe, expect, it } from "vitest";
import { EventHub, type EventHubSources, type LiveCallNotice } from "../../../src/api/event-hub.js";
import { Listeners } from "../../../src/shared/listeners.js";

/** Sources whose listeners the test can count, and a clock and trace it moves by hand. */
function sources() {
  const calls = new Listeners<LiveCallNotice>();
  let callListeners = 0;
  const clock = { epochMs: Date.UTC(2030, 0, 1), frozen: true, offsetMs: 0 };
  const trace = { recorded: 10, recordedHttp: 4 };
  const s: EventHubSources = {
    connectorStatus: new Listeners(),
    callEvents: {
      on: (fn) => {
        callListeners++;
        const off = calls.on(fn);
        return () => {
          callListeners--;
          off();
        };
      },
    },
    faultHits: new Listeners(),
    clock: () => ({ ...clock }),
    traceStats: () => ({ ...trace }),
  };
  return { s, calls, clock, trace, listeners: () => callListeners };
}

function read(stream: { body: NodeJS.ReadableStream }): { type: string; data: unknown }[] {
  const events: { type: string; data: unknown }[] = [];
  for (let chunk = stream.body.read(); chunk !== null; chunk = stream.body.read()) {
    for (const block of String(chunk).split("\n\n")) {
      const type = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (type && data) events.push({ type, data: JSON.parse(data) });
    }
  }
  return events;
}

describe("EventHub", () => {
  it("listens to its sources only while a stream is open", () => {
    const { s, listeners } = sources();
    const hub = new EventHub(s, { maxStreams: 2 });
    expect(listeners()).toBe(0);
    const a = hub.open()!;
    const b = hub.open()!;
    expect(listeners()).toBe(1);
    expect(hub.open()).toBeUndefined();
    a.destroy();
    expect(listeners()).toBe(1);
    b.destroy();
    expect(listeners()).toBe(0);
    hub.close();
    expect(hub.open()).toBeUndefined();
  });

  it("starts each stream with ready, then relays events; sends clock and trace only when they moved", () => {
    const { s, calls, clock, trace } = sources();
    const hub = new EventHub(s, { maxStreams: 4 });
    const stream = hub.open()!;
    expect(read(stream)).toEqual([
      {
        type: "ready",
        data: {
          clock: { now: "2030-01-01T00:00:00.000Z", epochMs: clock.epochMs, frozen: true, offsetMs: 0 },
          trace: { recorded: 10, recordedHttp: 4 },
        },
      },
    ]);
    calls.emit({ callId: "call-000001", type: "invite", at: clock.epochMs });
    hub.checkNow();
    expect(read(stream)).toEqual([
      { type: "call", data: { callId: "call-000001", type: "invite", at: "2030-01-01T00:00:00.000Z" } },
    ]);
    clock.epochMs += 3_600_000;
    trace.recorded = 12;
    hub.checkNow();
    hub.checkNow();
    expect(read(stream).map((e) => e.type)).toEqual(["clock", "trace"]);
    hub.close();
    expect(stream.open).toBe(false);
  });

  it("a running clock's offset read a millisecond apart is no change; a jump is", () => {
    const { s, clock } = sources();
    clock.frozen = false;
    const hub = new EventHub(s, { maxStreams: 1 });
    const stream = hub.open()!;
    read(stream);
    clock.offsetMs = 1;
    hub.checkNow();
    expect(read(stream)).toEqual([]);
    clock.offsetMs = 60_000;
    hub.checkNow();
    expect(read(stream).map((e) => e.type)).toEqual(["clock"]);
    hub.close();
  });
});
