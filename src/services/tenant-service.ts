import {
  type Flavour,
  generateApiKey,
  newClientId,
  type Tenant,
  tenantAdministrator,
  validateChosenApiKey,
  validateEmail,
  validateFlavour,
} from "../domain/index.js";
import { ApiError } from "../errors/index.js";
import type { Store } from "../store/index.js";
import type { RegistrationView } from "./registration-view.js";

export interface ConnectorStatus {
  readonly name: string;
  readonly type: "OSBIZ";
  readonly status: "available" | "unavailable";
  readonly systemId: string;
  readonly trunkId: string;
  readonly username: string;
  readonly simultaneousCalls: number;
  readonly contact: string | null;
  readonly registeredAt: number | null;
  readonly expiresAt: number | null;
  readonly remote: string | null;
  readonly bindings: number;
}

/** Tenants, their API keys and the status of their connectors (the "Telephony connector" tab). */
export class TenantService {
  constructor(
    private readonly store: Store,
    private readonly registrations: RegistrationView,
  ) {}

  /**
   * A tenant comes with its Administrator (role admin): `adminEmail`, or the documented
   * default admin@<tenant-slug>.example. Both are written in one transaction.
   */
  create(input: { name: string; flavour?: string; apiKey?: string; adminEmail?: string }): Tenant {
    const flavour: Flavour =
      input.flavour === undefined ? "openscape" : validateFlavour(input.flavour, "flavour");
    const apiKey =
      input.apiKey === undefined ? generateApiKey() : validateChosenApiKey(input.apiKey, "apiKey");
    const name = input.name.trim();
    const adminEmail =
      input.adminEmail === undefined ? undefined : validateEmail(input.adminEmail, "adminEmail");
    const admin = tenantAdministrator(name, adminEmail);
    return this.store.transaction(() => {
      const tenant = this.store.tenants.create({ name, flavour, apiKey, clientId: newClientId() });
      this.store.users.create({ ...admin, tenantId: tenant.id });
      return tenant;
    });
  }

  list(): Tenant[] {
    return this.store.tenants.list();
  }

  get(tenantId: string): Tenant {
    const tenant = this.store.tenants.get(tenantId);
    if (!tenant) throw new ApiError("tenant_not_found", `no tenant ${tenantId}`);
    return tenant;
  }

  /** Deletes the tenant with its systems, trunks and users; its PBXs lose their registration. */
  delete(tenantId: string): void {
    const trunks = this.store.trunks.listByTenant(this.get(tenantId).id);
    this.store.tenants.delete(tenantId);
    for (const trunk of trunks) this.registrations.dropTrunk(trunk.id, "tenant deleted");
  }

  /** A new key replaces the old one at once: PBXs using the old key get 401 api_key_invalid. */
  regenerateApiKey(tenantId: string): Tenant {
    this.get(tenantId);
    return this.store.tenants.update(tenantId, { apiKey: generateApiKey() });
  }

  connectors(tenantId: string): ConnectorStatus[] {
    this.get(tenantId);
    return this.store.trunks.listByTenant(tenantId).map((trunk) => {
      const system = this.store.systems.get(trunk.systemRef);
      const bindings = this.registrations.bindingsFor(trunk.id);
      // The most recent registration describes the connector.
      const latest = [...bindings].sort((a, b) => b.expiresAt - a.expiresAt)[0];
      return {
        name: trunk.name,
        type: "OSBIZ",
        status: latest ? "available" : "unavailable",
        systemId: system?.systemId ?? "",
        trunkId: trunk.id,
        username: trunk.username,
        simultaneousCalls: system?.simultaneousCalls ?? 0,
        contact: latest?.contact ?? null,
        registeredAt: latest?.registeredAt ?? null,
        expiresAt: latest?.expiresAt ?? null,
        remote: latest ? `${latest.remote.address}:${latest.remote.port}` : null,
        bindings: bindings.length,
      };
    });
  }
}
