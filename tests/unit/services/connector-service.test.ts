import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Tenant } from "../../../src/domain/index.js";
import { ApiError } from "../../../src/errors/index.js";
import type { Binding } from "../../../src/registrar/index.js";
import {
  ConnectorService,
  JwtService,
  type RegistrationView,
  UserService,
} from "../../../src/services/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { openStore, type SqliteStore } from "../../../src/store/index.js";

/** Records what the service asks of the registrar; a trunk is "registered" when listed in `live`. */
class FakeRegistrations implements RegistrationView {
  readonly dropped: Array<[string, string]> = [];
  readonly live = new Set<string>();
  bindingsFor(trunkId: string): readonly Binding[] {
    return this.live.has(trunkId) ? [{} as Binding] : [];
  }
  dropTrunk(trunkId: string, reason: string): void {
    this.dropped.push([trunkId, reason]);
    this.live.delete(trunkId);
  }
}

const ENDPOINTS = {
  host: "connector.test",
  sipPort: 65061,
  domain: "phoneapp.unify.com",
  registerInterval: 600,
  stun: null,
};
const LOCATION = { schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" };

let store: SqliteStore;
let registrations: FakeRegistrations;
let users: UserService;
let connector: ConnectorService;
let tenant: Tenant;

beforeEach(() => {
  const clock = new ControllableClock({ start: 1_700_000_000_000, frozen: true });
  store = openStore({ ephemeral: true, clock });
  registrations = new FakeRegistrations();
  users = new UserService(store);
  connector = new ConnectorService(store, registrations, users, new JwtService(store, clock), ENDPOINTS);
  tenant = store.tenants.create({ name: "Acme", apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX" });
});

afterEach(() => store.close());

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected an ApiError");
}

describe("ConnectorService", () => {
  it("reports the trunk available while the registrar has a binding for it", () => {
    const { system } = connector.provision(tenant, { systemId: "pbx" });
    expect(system.available).toBe(false);
    registrations.live.add(system.trunk.id);
    expect(connector.getSystem(tenant, "pbx")).toMatchObject({ available: true, endpoints: ENDPOINTS });
  });

  it("uninstall unassigns every user of the trunk, even beyond one page, and drops the registration", () => {
    const { system } = connector.provision(tenant, { systemId: "pbx", numbering: { schema: "internal" } });
    const other = connector.provision(tenant, {
      systemId: "other",
      numbering: { schema: "internal" },
    }).system;
    store.transaction(() => {
      for (let i = 0; i < 1100; i++) {
        const on = i % 2 === 0 ? system.trunk : other.trunk;
        users.create(tenant.id, {
          emailAddress: `u${i}@acme.test`,
          firstName: "U",
          lastName: `User${String(i).padStart(4, "0")}`,
          trunkId: on.id,
          callno: String(1000 + i),
        });
      }
    });
    registrations.live.add(system.trunk.id);
    connector.uninstall(tenant, "pbx");

    const all = users.list(tenant.id, { limit: 2000 }).items;
    expect(all).toHaveLength(1100);
    expect(all.filter((u) => u.trunkId === undefined)).toHaveLength(550);
    for (const u of all.filter((x) => x.trunkId === undefined)) {
      expect(u).not.toHaveProperty("callno");
      expect(u).not.toHaveProperty("phoneNumber");
    }
    expect(all.filter((u) => u.trunkId === other.trunk.id)).toHaveLength(550);
    expect(registrations.dropped).toEqual([[system.trunk.id, "connector uninstalled"]]);
    expect(store.trunks.get(system.trunk.id)).toBeUndefined();
  });

  it("a new location number rebuilds numbers even when one equals another user's old number", () => {
    const { system } = connector.provision(tenant, { systemId: "pbx", numbering: LOCATION });
    const user = (email: string, lastName: string, callno: string) =>
      users.create(tenant.id, {
        emailAddress: email,
        firstName: "X",
        lastName,
        trunkId: system.trunk.id,
        callno,
      });
    const a = user("a@acme.test", "A", "72");
    const b = user("b@acme.test", "B", "2");
    expect([a.phoneNumber, b.phoneNumber]).toEqual(["+49230266772", "+4923026672"]);
    // PABX 667 → 66: a (first in name order) gets +49 2302 66 72 = b's old number.
    const res = connector.provision(tenant, {
      systemId: "pbx",
      numbering: { ...LOCATION, pabxNumber: "66" },
    });
    expect(res.created).toBe(false);
    expect(users.get(tenant.id, a.id).phoneNumber).toBe("+4923026672");
    expect(users.get(tenant.id, b.id).phoneNumber).toBe("+492302662");
  });

  it("a renumbering that breaks E.164 fails as a whole: the system keeps its old numbering", () => {
    const { system } = connector.provision(tenant, { systemId: "pbx", numbering: LOCATION });
    users.create(tenant.id, {
      emailAddress: "a@acme.test",
      firstName: "A",
      lastName: "A",
      trunkId: system.trunk.id,
      callno: "123456",
    });
    expect(() =>
      connector.provision(tenant, { systemId: "pbx", numbering: { ...LOCATION, areaCode: "23021" } }),
    ).toThrow(/E\.164/);
    expect(connector.getSystem(tenant, "pbx").system.numbering).toEqual(LOCATION);
    expect(users.list(tenant.id, {}).items[0]!.phoneNumber).toBe("+492302667123456");
  });

  it("does not find another tenant's system", () => {
    const other = store.tenants.create({ name: "Other", apiKey: "other-key-0001-8wj3QYQt1aXpvVKHaddO" });
    connector.provision(other, { systemId: "pbx" });
    expect(apiError(() => connector.getSystem(tenant, "pbx")).code).toBe("system_not_found");
    expect(apiError(() => connector.uninstall(tenant, "pbx")).code).toBe("system_not_found");
    expect(registrations.dropped).toEqual([]);
  });
});
