import { describe, expect, it } from "vitest";
import { ConnectionTable } from "../../../../src/sip/transport/index.js";
import { FakeConnection } from "../../../support/fake-connection.js";

const limits = { maxConnectionsPerSource: 2, maxConnections: 3 };

describe("ConnectionTable", () => {
  it("hands out ids that are never reused", () => {
    const table = new ConnectionTable();
    const ids = [table.newId(), table.newId(), table.newId()];
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toMatch(/^c\d+$/);
  });

  it("admits up to the per-source limit, then refuses that source but not another", () => {
    const table = new ConnectionTable();
    expect(table.admit("192.0.2.1", limits)).toBe(true);
    expect(table.admit("192.0.2.1", limits)).toBe(true);
    expect(table.admit("192.0.2.1", limits)).toBe(false);
    expect(table.connectionsFrom("192.0.2.1")).toBe(2);
    expect(table.admit("192.0.2.2", limits)).toBe(true);
  });

  it("refuses every source once the total is reached, and admits again after a release", () => {
    const table = new ConnectionTable();
    for (const source of ["a", "b", "c"]) expect(table.admit(source, limits)).toBe(true);
    expect(table.admit("d", limits)).toBe(false);
    table.release("b");
    expect(table.connectionsFrom("b")).toBe(0);
    expect(table.admit("d", limits)).toBe(true);
  });

  it("lists the connections added to it by id until removed; source slots are counted apart", () => {
    const table = new ConnectionTable();
    const a = new FakeConnection({ reliable: true });
    const b = new FakeConnection({ reliable: true });
    table.add(a);
    table.add(b);
    expect(table.size).toBe(2);
    expect(table.get(a.id)).toBe(a);
    expect([...table.values()]).toEqual([a, b]);
    table.remove(a);
    expect(table.get(a.id)).toBeUndefined();
    expect(table.size).toBe(1);
    expect(table.connectionsFrom(a.remoteAddress)).toBe(0);
  });
});
