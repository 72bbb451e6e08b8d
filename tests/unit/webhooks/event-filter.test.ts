import { describe, expect, it } from "vitest";
import { EVENT_FILTER_PATTERN, matchesEventFilter } from "../../../src/webhooks/index.js";

describe("matchesEventFilter", () => {
  it.each([
    [["*"], "call.invite", true],
    [["*"], "webhook.test", true],
    [["call.*"], "call.ack-timeout", true],
    [["call.*"], "connector.available", false],
    [["call.*"], "callx.invite", false],
    [["connector.*"], "connector.unavailable", true],
    [["call.answered"], "call.answered", true],
    [["call.answered"], "call.answered-late", false],
    [["call.ended", "connector.*"], "connector.available", true],
    [["call.ended", "connector.*"], "call.invite", false],
  ])("%j selects %s: %s", (filters, type, expected) => {
    expect(matchesEventFilter(filters, type)).toBe(expected);
  });
});

describe("EVENT_FILTER_PATTERN", () => {
  const pattern = new RegExp(EVENT_FILTER_PATTERN);

  it.each(["*", "call.*", "call.ack-timeout", "connector.available", "webhook.test"])("accepts %s", (f) => {
    expect(pattern.test(f)).toBe(true);
  });

  it.each(["", "call.", "*.invite", "call.*.x", "Call.Invite", "call invite", ".call"])("refuses %j", (f) => {
    expect(pattern.test(f)).toBe(false);
  });
});
