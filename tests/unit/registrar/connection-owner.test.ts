import { describe, expect, it } from "vitest";
import type { Tenant, Trunk } from "../../../src/domain/index.js";
import { connectionOwner, type OwnerDirectory } from "../../../src/registrar/index.js";

const TRUNK = { id: "tk_1", tenantId: "tn_1", name: "gtc-001", username: "3919209257" } as Trunk;
const OTHER = { id: "tk_2", tenantId: "tn_gone", name: "gtc-002", username: "3919209258" } as Trunk;
const TENANT = { id: "tn_1", name: "Acme" } as Tenant;

const directory: OwnerDirectory = {
  trunk: (id) => [TRUNK, OTHER].find((t) => t.id === id),
  trunkByUsername: (username) => [TRUNK, OTHER].find((t) => t.username === username),
  tenant: (id) => (id === TENANT.id ? TENANT : undefined),
};

/** Bindings where each connection has the given sole owner (undefined: none, or several). */
function bindings(owners: Record<string, string>) {
  return { soleOwnerOnConnection: (connectionId: string) => owners[connectionId] };
}

describe("connection → trunk → tenant", () => {
  it("is the trunk registered alone over the connection, with its tenant", () => {
    expect(connectionOwner(bindings({ c1: "tk_1" }), directory, "c1")).toEqual({
      trunk: TRUNK,
      tenant: TENANT,
    });
  });

  it("is nobody on a connection without a sole owner, unless a REGISTER names its trunk", () => {
    expect(connectionOwner(bindings({}), directory, "c1")).toBeUndefined();
    expect(connectionOwner(bindings({}), directory, "c1", "3919209257")).toEqual({
      trunk: TRUNK,
      tenant: TENANT,
    });
    expect(connectionOwner(bindings({}), directory, "c1", "0000000000")).toBeUndefined();
  });

  it("prefers the bound trunk to the REGISTER's user, and keeps a trunk whose tenant is gone", () => {
    expect(connectionOwner(bindings({ c1: "tk_2" }), directory, "c1", "3919209257")).toEqual({
      trunk: OTHER,
      tenant: undefined,
    });
  });

  it("does not guess from the REGISTER's user when the bound trunk was deleted", () => {
    expect(connectionOwner(bindings({ c1: "tk_deleted" }), directory, "c1", "3919209257")).toBeUndefined();
  });
});
