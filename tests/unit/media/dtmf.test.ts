import { describe, expect, it } from "vitest";
import { DtmfDetector } from "../../../src/media/dtmf-detector.js";
import { DtmfSender } from "../../../src/media/dtmf-sender.js";
import {
  buildTelephoneEvent,
  digitForEvent,
  eventForDigit,
  parseTelephoneEvent,
} from "../../../src/media/telephone-event.js";

describe("telephone-event payload (RFC 4733 §2.3)", () => {
  it("maps events 0–15 to 0-9 * # A-D", () => {
    expect([...Array(16).keys()].map((e) => digitForEvent(e)).join("")).toBe("0123456789*#ABCD");
    expect(digitForEvent(16)).toBeNull();
    expect(eventForDigit("#")).toBe(11);
    expect(eventForDigit("d")).toBe(15);
    expect(eventForDigit("x")).toBeNull();
    expect(eventForDigit("12")).toBeNull();
  });

  it("round-trips event, end bit, volume and duration", () => {
    const payload = buildTelephoneEvent({ event: 11, end: true, volume: 10, duration: 800 });
    expect([...payload]).toEqual([11, 0x8a, 0x03, 0x20]);
    expect(parseTelephoneEvent(payload)).toEqual({ event: 11, end: true, volume: 10, duration: 800 });
    expect(parseTelephoneEvent(Buffer.from([1, 2, 3]))).toBeNull();
  });
});

describe("DtmfDetector", () => {
  const ev = (event: number, end: boolean) => ({ event, end, volume: 10, duration: 160 });

  it("counts one digit per event, on its first end packet", () => {
    const detector = new DtmfDetector();
    expect(detector.accept(1, 1000, ev(1, false))).toEqual([]);
    expect(detector.accept(1, 1000, ev(1, false))).toEqual([]);
    expect(detector.accept(1, 1000, ev(1, true))).toEqual(["1"]);
    expect(detector.accept(1, 1000, ev(1, true))).toEqual([]);
    expect(detector.accept(1, 1000, ev(1, true))).toEqual([]);
    expect(detector.accept(1, 2000, ev(1, false))).toEqual([]);
    expect(detector.accept(1, 2000, ev(1, true))).toEqual(["1"]);
  });

  it("counts an event whose end packets were lost when the next one starts", () => {
    const detector = new DtmfDetector();
    detector.accept(1, 1000, ev(5, false));
    expect(detector.accept(1, 2000, ev(11, false))).toEqual(["5"]);
    expect(detector.accept(1, 2000, ev(11, true))).toEqual(["#"]);
  });

  it("ignores a late packet of an older event and non-digit events", () => {
    const detector = new DtmfDetector();
    detector.accept(1, 2000, ev(2, true));
    expect(detector.accept(1, 1000, ev(1, true))).toEqual([]);
    expect(detector.accept(1, 3000, ev(16, true))).toEqual([]);
  });
});

describe("DtmfSender", () => {
  it("sends start, updates, three end packets, then a gap, per digit", async () => {
    const sender = new DtmfSender();
    let done = false;
    const sent = sender.enqueue("1#", 60).then(() => {
      done = true;
    });
    const steps: (ReturnType<typeof sender.step> | null)[] = [];
    for (let tick = 0; tick < 30 && sender.active; tick++) steps.push(sender.step(5000 + tick * 160));
    await sent;
    expect(done).toBe(true);
    // 60 ms = 3 ticks of tone, 3 end packets, 3 ticks of gap; two digits.
    expect(steps).toHaveLength(18);
    const first = steps.slice(0, 6).map((s) => parseTelephoneEvent(s!.payload));
    expect(first.map((e) => [e!.event, e!.end, e!.duration])).toEqual([
      [1, false, 160],
      [1, false, 320],
      [1, false, 480],
      [1, true, 480],
      [1, true, 480],
      [1, true, 480],
    ]);
    expect(steps.slice(0, 6).map((s) => s!.marker)).toEqual([true, false, false, false, false, false]);
    expect(new Set(steps.slice(0, 6).map((s) => s!.timestamp))).toEqual(new Set([5000]));
    expect(steps.slice(6, 9)).toEqual([null, null, null]);
    expect(parseTelephoneEvent(steps[9]!.payload)?.event).toBe(11);
    expect(steps[9]!.timestamp).toBe(5000 + 9 * 160);
    expect(sender.active).toBe(false);
  });

  it("rejects invalid digits and fails queued digits on cancel", async () => {
    const sender = new DtmfSender();
    await expect(sender.enqueue("12x")).rejects.toThrow(/0-9/);
    await expect(sender.enqueue("")).rejects.toThrow(RangeError);
    const pending = sender.enqueue("5");
    sender.cancel(new Error("closed"));
    await expect(pending).rejects.toThrow("closed");
    expect(sender.active).toBe(false);
  });
});
