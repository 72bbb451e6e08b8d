import { describe, expect, it } from "vitest";
import {
  FaultEngine,
  type FaultHitEvent,
  FaultRuleError,
  type FaultRuleInput,
  type SipFaultContext,
  seededRandom,
} from "../../../src/faults/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";

const START = Date.parse("2030-01-01T00:00:00Z");

function sip(method = "REGISTER", extra: Partial<SipFaultContext> = {}): SipFaultContext {
  return { kind: "request", method, header: () => [], trunk: [], tenant: [], users: [], ...extra };
}

const dropRegister = (when: FaultRuleInput["when"] = {}): FaultRuleInput => ({
  layer: "sip",
  match: { method: "REGISTER" },
  action: { type: "drop" },
  when,
});

function hitPattern(engine: FaultEngine, events: number): string {
  let out = "";
  for (let i = 0; i < events; i++) out += engine.check("sip.in", sip()) ? "x" : ".";
  return out;
}

function setup() {
  const clock = new ControllableClock({ start: START, frozen: true });
  return { clock, engine: new FaultEngine(clock) };
}

describe("FaultEngine rules", () => {
  it("adds, lists, gets, removes and clears rules, with generated ids and seeds", () => {
    const { engine } = setup();
    const a = engine.add(dropRegister());
    const b = engine.add({ ...dropRegister(), id: "mine", name: "named" });
    expect(a).toMatchObject({
      id: "f1",
      hits: 0,
      lastHitAt: null,
      createdAt: START,
      match: { method: "REGISTER" },
    });
    expect(typeof a.when.seed).toBe("number");
    expect(b.id).toBe("mine");
    expect(engine.list().map((r) => r.id)).toEqual(["f1", "mine"]);
    expect(engine.get("mine")?.name).toBe("named");
    expect(engine.remove("f1")).toBe(true);
    expect(engine.remove("f1")).toBe(false);
    expect(engine.clear()).toBe(1);
    expect(engine.list()).toEqual([]);
  });

  it("refuses an id in use with fault_id_taken, and an invalid rule with fault_invalid", () => {
    const { engine } = setup();
    engine.add({ ...dropRegister(), id: "x" });
    expect(() => engine.add({ ...dropRegister(), id: "x" })).toThrow(
      expect.objectContaining({ code: "fault_id_taken" }),
    );
    expect(() => engine.add({ layer: "sip" } as FaultRuleInput)).toThrow(FaultRuleError);
  });

  it("checks only the points a rule watches, and the first rule that hits decides", () => {
    const { engine } = setup();
    engine.add({ layer: "sip", match: { direction: "out" }, action: { type: "drop" } });
    engine.add({ id: "second", layer: "sip", match: { method: "OPTIONS" }, action: { type: "close" } });
    engine.add({ id: "third", layer: "sip", action: { type: "reset" } });
    expect(engine.check("sip.in", sip("REGISTER"))?.faultId).toBe("third");
    expect(engine.check("sip.in", sip("OPTIONS"))?.faultId).toBe("second");
    expect(engine.check("sip.out", sip("OPTIONS"))?.faultId).toBe("f1");
    expect(engine.check("tls.accept", { remoteAddress: "127.0.0.1" })).toBeUndefined();
  });

  it("matches SIP responses by status and class, trunks and users by any identifier, headers by pattern", () => {
    const { engine } = setup();
    engine.add({
      id: "s",
      layer: "sip",
      match: { status: 200, method: "REGISTER" },
      action: { type: "drop" },
    });
    engine.add({
      id: "t",
      layer: "sip",
      match: { trunk: "GTC-001", user: "4923026672131" },
      action: { type: "drop" },
    });
    engine.add({
      id: "h",
      layer: "sip",
      match: { headers: [{ header: "User-Agent", pattern: "openscape" }] },
      action: { type: "drop" },
    });
    const response = sip("REGISTER", { kind: "response", status: 200 });
    expect(engine.check("sip.out", response)?.faultId).toBe("s");
    expect(engine.check("sip.out", { ...response, status: 401 })).toBeUndefined();
    expect(
      engine.check("sip.in", sip("INVITE", { trunk: ["t1", "gtc-001"], users: ["+4923026672131"] }))?.faultId,
    ).toBe("t");
    expect(
      engine.check(
        "sip.in",
        sip("INVITE", { header: (n) => (n === "User-Agent" ? ["OpenScape Business V3"] : []) }),
      )?.faultId,
    ).toBe("h");
    expect(engine.check("sip.in", sip("INVITE"))).toBeUndefined();
  });

  it("counts hits with the time of the last one and reports each hit", () => {
    const { engine, clock } = setup();
    const events: FaultHitEvent[] = [];
    engine.onHit((e) => events.push(e));
    engine.add({ ...dropRegister(), name: "no answer" });
    clock.advance(1000);
    engine.check("sip.in", sip("REGISTER", { summary: "REGISTER from 127.0.0.1:5061 (c1)" }));
    expect(engine.get("f1")).toMatchObject({ hits: 1, lastHitAt: START + 1000 });
    expect(events).toEqual([
      {
        faultId: "f1",
        name: "no answer",
        point: "sip.in",
        action: "drop",
        detail: "drop: REGISTER from 127.0.0.1:5061 (c1)",
        at: START + 1000,
        hits: 1,
      },
    ]);
  });

  it("reports a hit once per stream when asked, while counting every hit", () => {
    const { engine } = setup();
    const events: FaultHitEvent[] = [];
    engine.onHit((e) => events.push(e));
    engine.add({ layer: "rtp", action: { type: "stop", direction: "receive" } });
    const rtp = (port: number) => ({ tenant: [], trunk: [], reportOncePer: `in:${port}` });
    for (let i = 0; i < 5; i++) engine.check("rtp.in", rtp(40000));
    engine.check("rtp.in", rtp(40002));
    expect(engine.get("f1")?.hits).toBe(6);
    expect(events.map((e) => e.hits)).toEqual([1, 6]);
  });

  it("survives a listener that throws", () => {
    const { engine } = setup();
    engine.onHit(() => {
      throw new Error("broken recorder");
    });
    engine.add(dropRegister());
    expect(engine.check("sip.in", sip())?.action).toEqual({ type: "drop" });
  });
});

describe("FaultEngine targeting", () => {
  it("firstN hits the first N matching events only", () => {
    const { engine } = setup();
    engine.add(dropRegister({ firstN: 2 }));
    expect(hitPattern(engine, 5)).toBe("xx...");
  });

  it("everyNth hits the Nth, 2Nth, … matching event", () => {
    const { engine } = setup();
    engine.add(dropRegister({ everyNth: 3 }));
    expect(hitPattern(engine, 7)).toBe("..x..x.");
  });

  it("maxHits stops after that many hits", () => {
    const { engine } = setup();
    engine.add(dropRegister({ everyNth: 2, maxHits: 2 }));
    expect(hitPattern(engine, 8)).toBe(".x.x....");
  });

  it("from/until limit the rule to a window of the emulator clock", () => {
    const { engine, clock } = setup();
    engine.add(dropRegister({ from: "2030-01-01T00:01:00Z", until: "2030-01-01T00:02:00Z", firstN: 2 }));
    expect(hitPattern(engine, 2)).toBe("..");
    clock.advance(60_000);
    expect(hitPattern(engine, 1)).toBe("x");
    clock.advance(59_999);
    expect(hitPattern(engine, 1)).toBe("x");
    clock.advance(1);
    expect(hitPattern(engine, 1)).toBe(".");
    clock.set(START + 90_000);
    // Events outside the window were not counted: firstN 2 is used up only now.
    expect(hitPattern(engine, 1)).toBe(".");
  });

  it("probability with a seed hits the same events in two engines; another seed, other events", () => {
    const pattern = (seed: number) => {
      const { engine } = setup();
      engine.add(dropRegister({ probability: 0.3, seed }));
      return hitPattern(engine, 200);
    };
    const first = pattern(42);
    expect(pattern(42)).toBe(first);
    expect(pattern(43)).not.toBe(first);
    const hits = first.replaceAll(".", "").length;
    expect(hits).toBeGreaterThan(30);
    expect(hits).toBeLessThan(90);
    const draws = seededRandom(42);
    expect(first).toBe(Array.from({ length: 200 }, () => (draws() < 0.3 ? "x" : ".")).join(""));
  });

  it("an RTP drop's percent is a per-packet chance from the same seeded generator", () => {
    const { engine } = setup();
    engine.add({ layer: "rtp", action: { type: "drop", percent: 25 }, when: { seed: 9 } });
    const draws = seededRandom(9);
    let expected = 0;
    for (let i = 0; i < 400; i++) {
      if (draws() < 0.25) expected++;
      engine.check("rtp.out", { tenant: [], trunk: [] });
    }
    expect(engine.get("f1")?.hits).toBe(expected);
  });
});
