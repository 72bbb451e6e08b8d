import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Binding,
  BindingTable,
  type ClientBinding,
  ClientBindings,
  type ClientPresenceEvent,
  type TrunkStatusEvent,
} from "../../../src/registrar/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { Listeners } from "../../../src/shared/listeners.js";

let clock: ControllableClock;
let table: BindingTable;
let events: TrunkStatusEvent[];

beforeEach(() => {
  clock = new ControllableClock({ frozen: true, start: 1_700_000_000_000 });
  const listeners = new Listeners<TrunkStatusEvent>();
  events = [];
  listeners.on((e) => events.push(e));
  table = new BindingTable(clock, listeners);
});

afterEach(() => clock.dispose());

function binding(over: Partial<Binding> = {}): Binding {
  return {
    trunkId: "tk_1",
    tenantId: "tn_1",
    aor: "3919209257",
    contact: "sip:a@192.0.2.1",
    contactParams: {},
    callId: "c1",
    cseq: 1,
    registeredAt: clock.now(),
    expiresAt: clock.now() + 60_000,
    connectionId: "conn1",
    transport: "TLS",
    remote: { address: "192.0.2.1", port: 5061 },
    ...over,
  };
}

describe("BindingTable", () => {
  it("publishes available on the first binding and unavailable when the last one goes", () => {
    table.upsert(binding());
    table.upsert(binding({ contact: "sip:b@192.0.2.1" }));
    table.remove("tk_1", "sip:a@192.0.2.1", "unregistered");
    expect(events.map((e) => e.status)).toEqual(["available"]);
    table.remove("tk_1", "sip:b@192.0.2.1", "unregistered");
    expect(events).toEqual([
      { trunkId: "tk_1", tenantId: "tn_1", status: "available", reason: "registered", at: clock.now() },
      { trunkId: "tk_1", tenantId: "tn_1", status: "unavailable", reason: "unregistered", at: clock.now() },
    ]);
    expect(table.trunkCount).toBe(0);
  });

  it("tells whether a trunk has a binding on a connection, following moves and removals", () => {
    expect(table.ownerHasConnection("tk_1", "conn1")).toBe(false);
    table.upsert(binding());
    table.upsert(binding({ contact: "sip:b@192.0.2.1", connectionId: "conn2" }));
    expect(table.ownerHasConnection("tk_1", "conn1")).toBe(true);
    expect(table.ownerHasConnection("tk_1", "conn2")).toBe(true);
    expect(table.ownerHasConnection("tk_2", "conn1")).toBe(false);
    table.upsert(binding({ connectionId: "conn3" }));
    expect(table.ownerHasConnection("tk_1", "conn1")).toBe(false);
    table.remove("tk_1", "sip:b@192.0.2.1", "unregistered");
    expect(table.ownerHasConnection("tk_1", "conn2")).toBe(false);
    expect(table.ownerHasConnection("tk_1", "conn3")).toBe(true);
  });

  it("keeps one timer per binding however often it is refreshed, and expires it lazily", () => {
    table.upsert(binding());
    for (let i = 0; i < 5; i++) {
      clock.advance(30_000);
      table.upsert(binding({ cseq: i + 2, expiresAt: clock.now() + 60_000 }));
    }
    expect(clock.pendingTimers).toBe(1);
    clock.advance(59_999);
    expect(table.size).toBe(1);
    clock.advance(1);
    expect(table.size).toBe(0);
    expect(events.at(-1)).toMatchObject({ status: "unavailable", reason: "expired" });
  });

  it("re-arms the timer when a refresh makes the binding expire earlier", () => {
    table.upsert(binding({ expiresAt: clock.now() + 600_000 }));
    table.upsert(binding({ expiresAt: clock.now() + 60_000 }));
    clock.advance(60_000);
    expect(table.size).toBe(0);
  });

  it("moves a refreshed binding to its new connection and drops by connection", () => {
    table.upsert(binding());
    table.upsert(binding({ trunkId: "tk_2", contact: "sip:z@192.0.2.2" }));
    table.upsert(binding({ connectionId: "conn2" }));
    expect(table.trunksOnConnection("conn1")).toEqual(["tk_2"]);
    expect(table.trunksOnConnection("conn2")).toEqual(["tk_1"]);
    table.removeConnection("conn2", "connection closed: reset");
    expect(table.forTrunk("tk_1")).toEqual([]);
    expect(table.get("tk_2", "sip:z@192.0.2.2")?.trunkId).toBe("tk_2");
    expect(events.at(-1)).toMatchObject({ trunkId: "tk_1", reason: "connection closed: reset" });
  });

  it("names the sole trunk on a connection, and none when two share it", () => {
    expect(table.soleOwnerOnConnection("conn1")).toBeUndefined();
    table.upsert(binding());
    table.upsert(binding({ contact: "sip:b@192.0.2.1" }));
    expect(table.soleOwnerOnConnection("conn1")).toBe("tk_1");
    table.upsert(binding({ trunkId: "tk_2", contact: "sip:z@192.0.2.2" }));
    expect(table.soleOwnerOnConnection("conn1")).toBeUndefined();
    // Asked again after each change (the answer is kept between changes): the other trunk
    // leaves, a binding moves to another connection, the last one goes.
    table.remove("tk_2", "sip:z@192.0.2.2", "unregistered");
    expect(table.soleOwnerOnConnection("conn1")).toBe("tk_1");
    table.upsert(binding({ trunkId: "tk_2", contact: "sip:z@192.0.2.2", connectionId: "conn2" }));
    expect(table.soleOwnerOnConnection("conn2")).toBe("tk_2");
    table.upsert(binding({ trunkId: "tk_2", contact: "sip:z@192.0.2.2", connectionId: "conn1" }));
    expect(table.soleOwnerOnConnection("conn2")).toBeUndefined();
    expect(table.soleOwnerOnConnection("conn1")).toBeUndefined();
    table.removeTrunk("tk_2", "deleted");
    expect(table.soleOwnerOnConnection("conn1")).toBe("tk_1");
    table.removeConnection("conn1", "connection closed: reset");
    expect(table.soleOwnerOnConnection("conn1")).toBeUndefined();
  });

  it("removeTrunk drops every contact; clear forgets everything without events", () => {
    table.upsert(binding());
    table.upsert(binding({ contact: "sip:b@192.0.2.1" }));
    table.removeTrunk("tk_1", "deleted");
    expect(table.size).toBe(0);
    table.upsert(binding());
    const before = events.length;
    table.clear();
    expect(table.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    expect(events).toHaveLength(before);
  });
});

describe("ClientBindings", () => {
  it("names owners users and publishes online/offline presence", () => {
    const clients = new ClientBindings(clock);
    const presence: ClientPresenceEvent[] = [];
    const off = clients.onPresence((e) => presence.push(e));
    const client: ClientBinding = { ...binding(), userId: "us_1", userAgent: null };
    clients.upsert(client);
    clients.upsert({ ...client, contact: "sip:b@192.0.2.1" });
    expect(clients.forUser("us_1")).toHaveLength(2);
    expect(clients.usersOnConnection("conn1")).toEqual(["us_1"]);
    expect(clients.userCount).toBe(1);
    clients.removeUser("us_1", "client password deleted");
    expect(presence).toEqual([
      { userId: "us_1", tenantId: "tn_1", status: "online", reason: "registered", at: clock.now() },
      {
        userId: "us_1",
        tenantId: "tn_1",
        status: "offline",
        reason: "client password deleted",
        at: clock.now(),
      },
    ]);
    off();
    clients.upsert(client);
    expect(presence).toHaveLength(2);
  });
});
