import { describe, expect, it } from "vitest";
import { type MailboxChange, MwiService } from "../../../src/services/index.js";

const user = { id: "us_1", tenantId: "tn_1" };
const twoFive = { waiting: true, newMessages: 2, oldMessages: 5, urgentNew: 0, urgentOld: 0 };

describe("MwiService", () => {
  it("shows nothing waiting before any report", () => {
    const mwi = new MwiService({ now: () => 0 });
    expect(mwi.view(user)).toEqual({
      userId: "us_1",
      tenantId: "tn_1",
      waiting: false,
      newMessages: 0,
      oldMessages: 0,
      urgentNew: 0,
      urgentOld: 0,
      updatedAt: null,
      source: null,
    });
  });

  it("keeps the last report and publishes changes only", () => {
    const mwi = new MwiService({ now: () => 1_000 });
    const changes: MailboxChange[] = [];
    mwi.changed.on((c) => changes.push(c));
    mwi.report(user, twoFive, "NOTIFY from trunk gtc-001");
    mwi.report(user, twoFive, "NOTIFY from trunk gtc-001");
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ userId: "us_1", mailbox: twoFive, previous: { waiting: false } });
    expect(mwi.view(user)).toMatchObject({
      newMessages: 2,
      oldMessages: 5,
      updatedAt: "1970-01-01T00:00:01.000Z",
    });
    mwi.forget("us_1");
    expect(mwi.mailbox("us_1").waiting).toBe(false);
  });
});
