import type Database from "better-sqlite3";
import type { PortalToken, PortalTokenRepository } from "./store.js";
import type { StoreContext } from "./store-context.js";

interface PortalTokenRow {
  id: string;
  client_id: string;
  label: string;
  expires_at: number | null;
  created_at: number;
  revoked_at: number | null;
}

const toToken = (r: PortalTokenRow): PortalToken => ({
  id: r.id,
  clientId: r.client_id,
  label: r.label,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export class SqlitePortalTokenRepository implements PortalTokenRepository {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], PortalTokenRow>;
  private readonly listStmt: Database.Statement<[], PortalTokenRow>;
  private readonly listByClientStmt: Database.Statement<[string], PortalTokenRow>;
  private readonly revokeStmt: Database.Statement<[number, string]>;

  constructor(private readonly ctx: StoreContext) {
    this.insertStmt = ctx.db.prepare(
      `INSERT INTO portal_tokens (id, client_id, label, expires_at, created_at)
       VALUES (@id, @clientId, @label, @expiresAt, @createdAt)`,
    );
    this.getStmt = ctx.db.prepare("SELECT * FROM portal_tokens WHERE id = ?");
    this.listStmt = ctx.db.prepare("SELECT * FROM portal_tokens ORDER BY created_at DESC, rowid DESC");
    this.listByClientStmt = ctx.db.prepare(
      "SELECT * FROM portal_tokens WHERE client_id = ? ORDER BY created_at DESC, rowid DESC",
    );
    this.revokeStmt = ctx.db.prepare(
      "UPDATE portal_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
    );
  }

  create(token: Omit<PortalToken, "revokedAt">): PortalToken {
    const created: PortalToken = { ...token, revokedAt: null };
    this.ctx.write(() => this.insertStmt.run(created));
    return created;
  }

  get(id: string): PortalToken | undefined {
    const row = this.getStmt.get(id);
    return row && toToken(row);
  }

  list(clientId?: string): PortalToken[] {
    const rows = clientId === undefined ? this.listStmt.all() : this.listByClientStmt.all(clientId);
    return rows.map(toToken);
  }

  revoke(id: string, at: number): PortalToken | undefined {
    return this.ctx.write(() => {
      this.revokeStmt.run(at, id);
      return this.get(id);
    });
  }
}
