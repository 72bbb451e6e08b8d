import type { CallDirectory } from "../b2bua/index.js";
import type { OwnerDirectory } from "../registrar/index.js";
import type { Store } from "../store/index.js";

/** The store as the B2BUA reads it. */
export function callDirectory(store: Store): CallDirectory {
  return {
    trunk: (id) => store.trunks.get(id),
    system: (ref) => store.systems.get(ref),
    userByNumber: (tenantId, phoneNumber) => store.users.getByPhoneNumber(tenantId, phoneNumber),
    user: (id) => store.users.get(id),
  };
}

/** The store as the connection → trunk → tenant lookup reads it. */
export function ownerDirectory(store: Store): OwnerDirectory {
  return {
    trunk: (id) => store.trunks.get(id),
    trunkByUsername: (username) => store.trunks.getByUsername(username),
    tenant: (id) => store.tenants.get(id),
  };
}
