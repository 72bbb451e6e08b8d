import { describe, expect, it } from "vitest";
import { DomainError } from "../../../src/domain/index.js";
import { parseWebhookSettings } from "../../../src/webhooks/webhook-settings.js";

function refusal(input: Parameters<typeof parseWebhookSettings>[0]): DomainError {
  try {
    parseWebhookSettings(input);
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("accepted");
}

describe("parseWebhookSettings", () => {
  it("defaults to every event and no secret", () => {
    expect(parseWebhookSettings({ url: "http://127.0.0.1:9000/hook" })).toEqual({
      url: "http://127.0.0.1:9000/hook",
      secret: null,
      events: ["*"],
    });
    expect(parseWebhookSettings({ url: "https://x.test/", secret: "k", events: ["call.*"] })).toEqual({
      url: "https://x.test/",
      secret: "k",
      events: ["call.*"],
    });
  });

  it.each(["ftp://x", "/hook", "hook", "http://", "mailto:a@b.test"])("refuses the url %j", (url) => {
    expect(refusal({ url })).toMatchObject({ code: "invalid_url", field: "url" });
  });

  it("refuses credentials in the url: it shows in status and logs", () => {
    expect(refusal({ url: "https://u:p@x.test/" })).toMatchObject({ code: "invalid_url", field: "url" });
  });

  it("refuses an empty secret and bad or empty event filters", () => {
    expect(refusal({ url: "http://x.test", secret: "" })).toMatchObject({ field: "secret" });
    expect(refusal({ url: "http://x.test", events: [] })).toMatchObject({ field: "events" });
    const bad = refusal({ url: "http://x.test", events: ["call.*", "Call"] });
    expect(bad).toMatchObject({ code: "invalid_event_filter", field: "events" });
    expect(bad.message).toContain("events[1]");
  });
});
