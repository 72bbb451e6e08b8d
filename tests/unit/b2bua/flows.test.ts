import { afterEach, describe, expect, it } from "vitest";
import { trunkDialogFlow, trunkFlow } from "../../../src/b2bua/flows.js";
import { type Binding, BindingTable, type TrunkStatusEvent } from "../../../src/registrar/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { Listeners } from "../../../src/shared/listeners.js";
import { ConnectionTable } from "../../../src/sip/transport/connection-table.js";
import { FakeConnection } from "../../support/fake-connection.js";

let clock: ControllableClock;
afterEach(() => clock.dispose());

function setUp() {
  clock = new ControllableClock({ frozen: true, start: 1_700_000_000_000 });
  const bindings = new BindingTable(clock, new Listeners<TrunkStatusEvent>());
  const connections = new ConnectionTable();
  const connect = () => {
    const connection = new FakeConnection({ reliable: true });
    connections.add(connection);
    return connection;
  };
  const bind = (connection: FakeConnection, contact: string, expiresIn: number) =>
    bindings.upsert({
      trunkId: "tk_1",
      tenantId: "tn_1",
      aor: "3919209257",
      contact,
      contactParams: {},
      callId: contact,
      cseq: 1,
      registeredAt: clock.now(),
      expiresAt: clock.now() + expiresIn,
      connectionId: connection.id,
      transport: "TLS",
      remote: { address: "192.0.2.1", port: 5061 },
    } satisfies Binding);
  return { bindings, connections, connect, bind };
}

describe("the trunk's registered flow", () => {
  it("is the connection of the binding refreshed last, while it is open", () => {
    const { bindings, connections, connect, bind } = setUp();
    const first = connect();
    const second = connect();
    bind(first, "sip:a@192.0.2.1", 600_000);
    expect(trunkFlow(bindings, connections, "tk_1")?.connection).toBe(first);
    bind(second, "sip:b@192.0.2.1", 601_000);
    expect(trunkFlow(bindings, connections, "tk_1")?.connection).toBe(second);
    second.close();
    expect(trunkFlow(bindings, connections, "tk_1")?.connection).toBe(first);
  });

  it("is none without a binding on an open connection; a dialog flow then yields nothing", () => {
    const { bindings, connections, connect, bind } = setUp();
    const flow = trunkDialogFlow(bindings, connections, "tk_1");
    expect(flow()).toBeUndefined();
    const only = connect();
    bind(only, "sip:a@192.0.2.1", 600_000);
    expect(flow()).toBe(only);
    only.close();
    expect(flow()).toBeUndefined();
  });
});
