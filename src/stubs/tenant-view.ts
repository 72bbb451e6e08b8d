import type { Tenant } from "../domain/index.js";
import type { Store } from "../store/index.js";

/**
 * A tenant as stub templates see it (`{{ tenant.systems[0].trunk.username }}`): its name,
 * flavour, systems with their trunk credentials and numbering, and users. The API key and
 * client ID are left out: a template could echo them to anyone who has the key already,
 * but a mapping shared in a ticket should not teach people to.
 */
export function tenantView(store: Store, tenant: Tenant): Record<string, unknown> {
  const trunks = store.trunks.listByTenant(tenant.id);
  const trunkNames = new Map(trunks.map((t) => [t.id, t.name]));
  return {
    id: tenant.id,
    name: tenant.name,
    flavour: tenant.flavour,
    systems: store.systems.listByTenant(tenant.id).map((s) => {
      const trunk = trunks.find((t) => t.systemRef === s.id);
      return {
        systemId: s.systemId,
        name: s.name,
        version: s.version ?? null,
        simultaneousCalls: s.simultaneousCalls,
        numbering: s.numbering,
        trunk: trunk ? { name: trunk.name, username: trunk.username, password: trunk.password } : null,
      };
    }),
    users: store.users.listByTenant(tenant.id).map((u) => ({
      id: u.id,
      emailAddress: u.emailAddress,
      firstName: u.firstName,
      lastName: u.lastName,
      callno: u.callno ?? null,
      did: u.did ?? null,
      phoneNumber: u.phoneNumber ?? null,
      trunk: u.trunkId === undefined ? null : (trunkNames.get(u.trunkId) ?? null),
    })),
  };
}
