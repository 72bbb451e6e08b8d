import { describe, expect, it } from "vitest";
import { detachedString } from "../../../src/shared/detached-string.js";

describe("detachedString", () => {
  it("returns the same text, non-ASCII included", () => {
    const head = 'Call-ID: a84b4c76e66710@pc33.example.com\r\nTo: "Zoë" <sip:z@example.com>\r\n';
    const callId = head.slice(head.indexOf(" ") + 1, head.indexOf("\r"));
    expect(detachedString(callId)).toBe("a84b4c76e66710@pc33.example.com");
    expect(detachedString(head.slice(head.indexOf("To:"), -2))).toBe('To: "Zoë" <sip:z@example.com>');
    expect(detachedString("")).toBe("");
  });
});
