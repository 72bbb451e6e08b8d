import { describe, expect, it } from "vitest";
import { Call } from "../../../src/b2bua/call.js";
import { CallJournal } from "../../../src/b2bua/call-journal.js";

function call(
  id: string,
  fields: { trunkId?: string; userId?: string; createdAt?: number; tenantId?: string } = {},
) {
  return new Call(
    id,
    "pbx-to-user",
    fields.tenantId ?? "tn_1",
    fields.trunkId ?? "tk_1",
    `name-of-${fields.trunkId ?? "tk_1"}`,
    fields.userId ?? null,
    "+4930123",
    "+4923026672131",
    fields.createdAt ?? 0,
    "echo",
  );
}

describe("CallJournal", () => {
  it("counts a trunk's busy lines: each active call takes one, ending gives it back once", () => {
    const journal = new CallJournal();
    const a = call("a");
    const b = call("b");
    journal.add(a);
    journal.add(b);
    journal.add(call("other", { trunkId: "tk_2" }));
    expect(journal.linesInUse("tk_1")).toBe(2);
    journal.end(a);
    journal.end(a);
    expect(journal.linesInUse("tk_1")).toBe(1);
    expect(journal.linesInUse("tk_2")).toBe(1);
    journal.end(b);
    expect(journal.linesInUse("tk_1")).toBe(0);
    expect(journal.activeCalls().map((c) => c.id)).toEqual(["other"]);
  });

  it("keeps only the most recent ended calls, still finding the active ones", () => {
    const journal = new CallJournal(2);
    for (const id of ["1", "2", "3"]) {
      const c = call(id);
      journal.add(c);
      journal.end(c);
    }
    const live = call("live");
    journal.add(live);
    expect(journal.get("1")).toBeUndefined();
    expect(journal.get("3")?.id).toBe("3");
    expect(journal.get("live")).toBe(live);
    expect(
      journal
        .list()
        .map((c) => c.id)
        .sort(),
    ).toEqual(["2", "3", "live"]);
  });

  it("lists newest first, filtered by state, tenant, user and trunk (id or name)", () => {
    const journal = new CallJournal();
    const old = call("old", { createdAt: 1, userId: "us_al" });
    const mid = call("mid", { createdAt: 2, trunkId: "tk_2", tenantId: "tn_2" });
    const recent = call("new", { createdAt: 3, userId: "us_al" });
    for (const c of [old, mid, recent]) journal.add(c);
    journal.end(old);
    expect(journal.list().map((c) => c.id)).toEqual(["new", "mid", "old"]);
    expect(journal.list({ state: "active" }).map((c) => c.id)).toEqual(["new", "mid"]);
    expect(journal.list({ state: "ended" }).map((c) => c.id)).toEqual(["old"]);
    expect(journal.list({ userId: "us_al" }).map((c) => c.id)).toEqual(["new", "old"]);
    expect(journal.list({ tenantId: "tn_2" }).map((c) => c.id)).toEqual(["mid"]);
    expect(journal.list({ trunkId: "name-of-tk_2" }).map((c) => c.id)).toEqual(["mid"]);
  });
});
