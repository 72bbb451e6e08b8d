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
});
