import type Database from "better-sqlite3";
import {
  DomainError,
  generateApiKey,
  newClientId,
  newId,
  type Tenant,
  validateApiKey,
  validateFlavour,
  validateLabel,
} from "../domain/index.js";
import type { NewTenant, TenantPatch, TenantRepository } from "./store.js";
import type { StoreContext } from "./store-context.js";

interface TenantRow {
  id: string;
  name: string;
  flavour: string;
  api_key: string;
  client_id: string;
  created_at: number;
}

const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  name: r.name,
  flavour: validateFlavour(r.flavour),
  apiKey: r.api_key,
  clientId: r.client_id,
  createdAt: r.created_at,
});

export class SqliteTenantRepository implements TenantRepository {
  private readonly insertStmt: Database.Statement;
  private readonly updateStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement<[string]>;

  constructor(private readonly ctx: StoreContext) {
    this.insertStmt = ctx.db.prepare(
      `INSERT INTO tenants (id, name, name_key, flavour, api_key, client_id, created_at)
       VALUES (@id, @name, @nameKey, @flavour, @apiKey, @clientId, @createdAt)`,
    );
    this.updateStmt = ctx.db.prepare(
      `UPDATE tenants SET name = @name, name_key = @nameKey, flavour = @flavour, api_key = @apiKey,
         client_id = @clientId
       WHERE id = @id`,
    );
    this.deleteStmt = ctx.db.prepare("DELETE FROM tenants WHERE id = ?");
  }

  /** Fills the cache at open. */
  load(): void {
    const rows = this.ctx.db.prepare("SELECT * FROM tenants").all() as TenantRow[];
    for (const r of rows) this.ctx.tenants.put(toTenant(r));
  }

  create(input: NewTenant): Tenant {
    const tenant: Tenant = {
      id: newId("tn"),
      name: validateLabel(input.name, "name"),
      flavour: validateFlavour(input.flavour ?? "openscape"),
      apiKey: input.apiKey === undefined ? generateApiKey() : validateApiKey(input.apiKey),
      clientId: input.clientId === undefined ? newClientId() : validateLabel(input.clientId, "clientId"),
      createdAt: input.createdAt ?? this.ctx.now(),
    };
    return this.ctx.write(() => {
      this.insertStmt.run({ ...tenant, nameKey: tenant.name.toLowerCase() });
      return this.ctx.tenants.put(tenant);
    });
  }

  get(id: string): Tenant | undefined {
    return this.ctx.tenants.get(id);
  }

  getByName(name: string): Tenant | undefined {
    return this.ctx.tenants.find("name", name.trim().toLowerCase());
  }

  getByApiKey(apiKey: string): Tenant | undefined {
    return this.ctx.tenants.find("apiKey", apiKey);
  }

  list(): Tenant[] {
    return [...this.ctx.tenants.values()].sort(
      (a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name),
    );
  }

  update(id: string, patch: TenantPatch): Tenant {
    const existing = this.get(id);
    if (!existing) throw new DomainError("tenant_not_found", `no tenant ${id}`, "tenantId");
    const tenant: Tenant = {
      ...existing,
      name: patch.name === undefined ? existing.name : validateLabel(patch.name, "name"),
      flavour: patch.flavour === undefined ? existing.flavour : validateFlavour(patch.flavour),
      apiKey: patch.apiKey === undefined ? existing.apiKey : validateApiKey(patch.apiKey),
      clientId: patch.clientId === undefined ? existing.clientId : validateLabel(patch.clientId, "clientId"),
    };
    return this.ctx.write(() => {
      this.updateStmt.run({ ...tenant, nameKey: tenant.name.toLowerCase() });
      return this.ctx.tenants.put(tenant);
    });
  }

  delete(id: string): boolean {
    return this.ctx.write(() => {
      if (this.deleteStmt.run(id).changes === 0) return false;
      // ON DELETE CASCADE removed the rows; mirror it in the caches.
      for (const t of this.ctx.trunks.filter((t) => t.tenantId === id)) this.ctx.trunks.remove(t.id);
      for (const s of this.ctx.systems.filter((s) => s.tenantId === id)) this.ctx.systems.remove(s.id);
      this.ctx.tenants.remove(id);
      return true;
    });
  }
}
