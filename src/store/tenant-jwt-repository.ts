import type Database from "better-sqlite3";
import type { TenantJwt, TenantJwtRepository } from "./store.js";
import type { StoreContext } from "./store-context.js";

interface TenantJwtRow {
  tenant_id: string;
  token_id: string;
  label: string;
  expires_at: number | null;
  set_at: number;
}

const toJwt = (r: TenantJwtRow): TenantJwt => ({
  tenantId: r.tenant_id,
  tokenId: r.token_id,
  label: r.label,
  expiresAt: r.expires_at,
  setAt: r.set_at,
});

/** Not cached: read per request, and the tenant's row goes with the tenant (ON DELETE CASCADE). */
export class SqliteTenantJwtRepository implements TenantJwtRepository {
  private readonly getStmt: Database.Statement<[string], TenantJwtRow>;
  private readonly setStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement<[string]>;

  constructor(private readonly ctx: StoreContext) {
    this.getStmt = ctx.db.prepare("SELECT * FROM tenant_jwts WHERE tenant_id = ?");
    this.setStmt = ctx.db.prepare(
      `INSERT INTO tenant_jwts (tenant_id, token_id, label, expires_at, set_at)
       VALUES (@tenantId, @tokenId, @label, @expiresAt, @setAt)
       ON CONFLICT (tenant_id) DO UPDATE SET token_id = excluded.token_id, label = excluded.label,
         expires_at = excluded.expires_at, set_at = excluded.set_at`,
    );
    this.deleteStmt = ctx.db.prepare("DELETE FROM tenant_jwts WHERE tenant_id = ?");
  }

  get(tenantId: string): TenantJwt | undefined {
    const row = this.getStmt.get(tenantId);
    return row && toJwt(row);
  }

  set(jwt: TenantJwt): TenantJwt {
    this.ctx.write(() => this.setStmt.run(jwt));
    return { ...jwt };
  }

  delete(tenantId: string): boolean {
    return this.ctx.write(() => this.deleteStmt.run(tenantId).changes > 0);
  }
}
