import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildMessageSummary,
  MessageSummaryError,
  mailboxOf,
  parseMessageSummary,
} from "../../../src/b2bua/index.js";
import { parseMailboxCounts } from "../../../src/mock-osbiz/index.js";

describe("parseMessageSummary (RFC 3842 §5.2)", () => {
  it("reads the RFC's example: waiting, account, voice with urgent counts", () => {
    // RFC 3842 §6 example body.
    const body =
      "Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\nVoice-Message: 2/8 (0/2)\r\n";
    const summary = parseMessageSummary(body);
    expect(summary).toEqual({
      waiting: true,
      account: "sip:alice@vmail.example.com",
      classes: { "voice-message": { newMessages: 2, oldMessages: 8, urgentNew: 0, urgentOld: 2 } },
    });
    expect(mailboxOf(summary)).toEqual({
      waiting: true,
      newMessages: 2,
      oldMessages: 8,
      urgentNew: 0,
      urgentOld: 2,
    });
  });

  it("takes LF lines, any case, other classes, extension headers, and stops at the message headers", () => {
    const summary = parseMessageSummary(
      "messages-waiting: NO\nfax-message: 1/0\nX-Vendor: whatever\n\nTo: <sip:a@b>\nVoice-Message: junk\n",
    );
    expect(summary.waiting).toBe(false);
    expect(summary.classes["fax-message"]).toEqual({
      newMessages: 1,
      oldMessages: 0,
      urgentNew: 0,
      urgentOld: 0,
    });
    expect(mailboxOf(summary)).toEqual({
      waiting: false,
      newMessages: 0,
      oldMessages: 0,
      urgentNew: 0,
      urgentOld: 0,
    });
  });

  it.each([
    ["", /without Messages-Waiting/],
    ["Voice-Message: 1/2\r\n", /without Messages-Waiting/],
    ["Messages-Waiting: maybe\r\n", /must be yes or no/],
    ["Messages-Waiting: yes\r\nVoice-Message: two/5\r\n", /voice-message must be new\/old/],
    ["Messages-Waiting: yes\r\nVoice-Message: 2/5 (3/0)\r\n", /more urgent messages than messages/],
    ["Messages-Waiting: yes\r\nVoice-Message: 1234567/0\r\n", /count above/],
    ["Messages-Waiting yes\r\n", /without a colon/],
    [`Messages-Waiting: yes\r\n${"X-A: b\r\n".repeat(200)}`, /too long/],
  ])("refuses %j with a 400 reason", (body, reason) => {
    let error: unknown;
    try {
      parseMessageSummary(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MessageSummaryError);
    expect((error as Error).message).toMatch(/^Bad Request: /);
    expect((error as Error).message).toMatch(reason);
  });
});

describe("buildMessageSummary", () => {
  it("writes CRLF lines the RFC way", () => {
    const mailbox = { waiting: true, newMessages: 2, oldMessages: 5, urgentNew: 1, urgentOld: 0 };
    expect(buildMessageSummary(mailbox, "sip:+4923026672131@phoneapp.unify.com")).toBe(
      "Messages-Waiting: yes\r\nMessage-Account: sip:+4923026672131@phoneapp.unify.com\r\nVoice-Message: 2/5 (1/0)\r\n",
    );
  });

  it("parses back what it builds, for any counts", () => {
    const count = fc.integer({ min: 0, max: 999_999 });
    fc.assert(
      fc.property(fc.boolean(), count, count, (waiting, n, o) => {
        const mailbox = {
          waiting,
          newMessages: n,
          oldMessages: o,
          urgentNew: Math.floor(n / 2),
          urgentOld: 0,
        };
        expect(mailboxOf(parseMessageSummary(buildMessageSummary(mailbox)))).toEqual(mailbox);
      }),
    );
  });
});

describe("parseMailboxCounts (the mock console's mwi 2131 2/5)", () => {
  it("reads new/old and optional urgent counts", () => {
    expect(parseMailboxCounts("2/5")).toEqual({ new: 2, old: 5 });
    expect(parseMailboxCounts("2/5 (1/0)")).toEqual({ new: 2, old: 5, urgentNew: 1, urgentOld: 0 });
  });

  it("refuses anything else", () => {
    expect(() => parseMailboxCounts("2")).toThrow(/want new\/old/);
    expect(() => parseMailboxCounts("-1/5")).toThrow(RangeError);
  });
});
