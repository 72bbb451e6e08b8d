import { describe, expect, it } from "vitest";
import { NonceService } from "../../../src/registrar/nonce-service.js";
import { ControllableClock } from "../../../src/shared/clock.js";

const TTL = 60_000;

function setup() {
  const clock = new ControllableClock({ start: 1_000_000, frozen: true });
  return { clock, nonces: new NonceService(clock, TTL) };
}

describe("NonceService", () => {
  it("accepts its own nonce with rising nonce-counts and refuses a replayed one", () => {
    const { nonces } = setup();
    const nonce = nonces.issue();
    expect(nonces.check(nonce, "00000001")).toBe("ok");
    expect(nonces.check(nonce, "00000002")).toBe("ok");
    expect(nonces.check(nonce, "00000002")).toBe("replay");
    expect(nonces.check(nonce, "00000001")).toBe("replay");
    expect(nonces.tracked).toBe(1);
  });

  it("refuses a nonce it did not sign, or a tampered one, and remembers neither", () => {
    const { nonces } = setup();
    const other = new NonceService(new ControllableClock({ start: 1_000_000, frozen: true }), TTL).issue();
    expect(nonces.check(other, "00000001")).toBe("invalid");
    const mine = nonces.issue();
    const tampered = `${mine[0] === "A" ? "B" : "A"}${mine.slice(1)}`;
    expect(nonces.check(tampered, "00000001")).toBe("invalid");
    expect(nonces.check("short", "00000001")).toBe("invalid");
    expect(nonces.tracked).toBe(0);
  });

  it("makes a nonce stale after its TTL, also once it is remembered", () => {
    const { clock, nonces } = setup();
    const fresh = nonces.issue();
    const used = nonces.issue();
    expect(nonces.check(used, "00000001")).toBe("ok");
    clock.advance(TTL + 1);
    expect(nonces.check(fresh, "00000001")).toBe("stale");
    expect(nonces.check(used, "00000002")).toBe("stale");
  });

  it("refuses a malformed or zero nonce-count", () => {
    const { nonces } = setup();
    const nonce = nonces.issue();
    expect(nonces.check(nonce, "1")).toBe("invalid");
    expect(nonces.check(nonce, "00000000")).toBe("invalid");
    expect(nonces.check(nonce, "00000001")).toBe("ok");
  });

  it("takes the nc as exactly 8 hex digits in either case, checked after staleness", () => {
    const { clock, nonces } = setup();
    const nonce = nonces.issue();
    for (const bad of ["+0000001", "0x000001", " 0000001", "0000001g", "000000001", "", "0000001\n"])
      expect(nonces.check(nonce, bad)).toBe("invalid");
    expect(nonces.check(nonce, "0000000A")).toBe("ok");
    expect(nonces.check(nonce, "0000000a")).toBe("replay");
    expect(nonces.check(nonce, "0000000b")).toBe("ok");
    expect(nonces.check(nonce, "FFFFFFFF")).toBe("ok");
    clock.advance(TTL + 1);
    expect(nonces.check(nonce, "zz")).toBe("stale");
  });

  it("issues distinct 35-character base64url nonces that it accepts", () => {
    const { nonces } = setup();
    const issued = new Set(Array.from({ length: 1000 }, () => nonces.issue()));
    expect(issued.size).toBe(1000);
    for (const nonce of issued) {
      expect(nonce).toMatch(/^[A-Za-z0-9_-]{35}$/);
      expect(nonces.check(nonce, "00000001")).toBe("ok");
    }
  });

  it("forgets used nonces once they expire, when another nonce is first used", () => {
    const { clock, nonces } = setup();
    expect(nonces.check(nonces.issue(), "00000001")).toBe("ok");
    clock.advance(TTL / 2);
    expect(nonces.check(nonces.issue(), "00000001")).toBe("ok");
    expect(nonces.tracked).toBe(2);
    clock.advance(TTL / 2 + 1);
    // The first has expired: the next first use drops it, not the second (still live).
    expect(nonces.check(nonces.issue(), "00000001")).toBe("ok");
    expect(nonces.tracked).toBe(2);
    clock.advance(TTL + 1);
    expect(nonces.check(nonces.issue(), "00000001")).toBe("ok");
    expect(nonces.tracked).toBe(1);
  });

  it("beyond its cap forgets the oldest used nonce, which then reads as stale, whatever the number of uses", () => {
    const clock = new ControllableClock({ start: 1_000_000, frozen: true });
    const nonces = new NonceService(clock, TTL, 100);
    const first = nonces.issue();
    expect(nonces.check(first, "00000001")).toBe("ok");
    clock.advance(1);
    const used: string[] = [];
    for (let i = 0; i < 5000; i++) {
      clock.advance(1);
      const nonce = nonces.issue();
      expect(nonces.check(nonce, "00000001")).toBe("ok");
      used.push(nonce);
      expect(nonces.tracked).toBeLessThanOrEqual(100);
    }
    expect(nonces.tracked).toBe(100);
    expect(nonces.check(first, "00000002")).toBe("stale");
    // The newest are still remembered: a replay is refused, the next count accepted.
    const last = used.at(-1)!;
    expect(nonces.check(last, "00000001")).toBe("replay");
    expect(nonces.check(last, "00000002")).toBe("ok");
  });

  it("checks the signature of a nonce issued long ago (thousands of challenges since) as of a recent one", () => {
    const { nonces } = setup();
    const early = nonces.issue();
    const forged = `${early.slice(0, 20)}${early[20] === "A" ? "B" : "A"}${early.slice(21)}`;
    for (let i = 0; i < 5000; i++) nonces.issue();
    expect(nonces.check(forged, "00000001")).toBe("invalid");
    expect(nonces.check(early, "00000001")).toBe("ok");
    expect(nonces.check(nonces.issue(), "00000001")).toBe("ok");
  });
});
