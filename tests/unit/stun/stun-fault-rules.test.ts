import { describe, expect, it } from "vitest";
import { FaultEngine, parseFaultRule } from "../../../src/faults/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";

describe("fault rules with layer: stun", () => {
  it("accepts each action with its fields", () => {
    expect(parseFaultRule({ layer: "stun", action: { type: "no-answer" } })).toMatchObject({
      action: { type: "no-answer" },
    });
    expect(
      parseFaultRule({
        layer: "stun",
        match: { remoteAddress: "127.0.0.1", transport: "tcp" },
        action: { type: "wrong-mapped-address", address: "2001:db8::1", port: 9 },
      }),
    ).toMatchObject({ match: { transport: "tcp" }, action: { address: "2001:db8::1", port: 9 } });
    expect(parseFaultRule({ layer: "stun", action: { type: "delay", minMs: 10, maxMs: 20 } }).action).toEqual(
      {
        type: "delay",
        minMs: 10,
        maxMs: 20,
      },
    );
    expect(
      parseFaultRule({
        layer: "stun",
        action: { type: "nat", mapping: "address-dependent", publicAddress: "192.0.2.7" },
      }).action,
    ).toEqual({ type: "nat", mapping: "address-dependent", publicAddress: "192.0.2.7" });
  });

  it("names every problem with its path", () => {
    expect(() =>
      parseFaultRule({
        layer: "stun",
        match: { remoteAddress: "localhost", transport: "sctp" },
        action: { type: "wrong-mapped-address", port: 0, via: 1 },
      }),
    ).toThrow(/match\.remoteAddress[\s\S]*match\.transport|match\.transport[\s\S]*match\.remoteAddress/);
    expect(() => parseFaultRule({ layer: "stun", action: { type: "nat" } })).toThrow(
      /action\.mapping: is required/,
    );
    expect(() => parseFaultRule({ layer: "stun", action: { type: "delay" } })).toThrow(
      /ms, or minMs and maxMs/,
    );
  });

  it("hits at the stun.binding point, matched by source address and transport", () => {
    const engine = new FaultEngine(new ControllableClock());
    engine.add({
      layer: "stun",
      match: { remoteAddress: "192.0.2.1", transport: "udp" },
      action: { type: "no-answer" },
    });
    expect(engine.hasRulesFor("stun.binding")).toBe(true);
    expect(engine.hasRulesFor("rtp.in")).toBe(false);
    expect(engine.check("stun.binding", { remoteAddress: "192.0.2.1", transport: "udp" })?.action).toEqual({
      type: "no-answer",
    });
    expect(engine.check("stun.binding", { remoteAddress: "192.0.2.1", transport: "tcp" })).toBeUndefined();
    expect(engine.check("stun.binding", { remoteAddress: "192.0.2.2", transport: "udp" })).toBeUndefined();
  });
});
