import { describe, expect, it } from "vitest";
import { DomainError, validateCallBehaviour } from "../../../src/domain/index.js";

describe("validateCallBehaviour", () => {
  it("accepts every documented key", () => {
    const b = { mode: "forward", to: "+4930123456", ringMs: 0, media: "tone", routing: "clients-only" };
    expect(validateCallBehaviour(b)).toEqual(b);
  });

  it.each([
    [{ mode: "answr" }, "callBehaviour.mode"],
    [{ ringMs: -1 }, "callBehaviour.ringMs"],
    [{ ringMs: 1.5 }, "callBehaviour.ringMs"],
    [{ media: "music" }, "callBehaviour.media"],
    [{ routing: "clients_only" }, "callBehaviour.routing"],
    [{ ringMS: 100 }, "callBehaviour.ringMS"],
    [{ mode: "forward" }, "callBehaviour.to"],
  ])("refuses %o naming %s", (value, field) => {
    let error: unknown;
    try {
      validateCallBehaviour(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "invalid_call_behaviour", field });
  });
});
