import type Database from "better-sqlite3";
import type { StoreContext } from "./store-context.js";

/** A user's client password, as digest HA1s (the password itself is never stored). */
export interface ClientCredential {
  userId: string;
  /** The user's tenant (read from the user). */
  tenantId: string;
  /** The realm the HA1s were computed for. */
  realm: string;
  ha1Md5: string;
  ha1Sha256: string;
  setAt: number;
}

export interface ClientCredentialRepository {
  get(userId: string): ClientCredential | undefined;
  /** Creates or replaces the user's credential; the user must exist. */
  set(credential: Omit<ClientCredential, "tenantId">): void;
  delete(userId: string): boolean;
}

interface Row {
  user_id: string;
  tenant_id: string;
  realm: string;
  ha1_md5: string;
  ha1_sha256: string;
  set_at: number;
}

/** Not cached: read once per client REGISTER; the row goes with its user (ON DELETE CASCADE). */
export class SqliteClientCredentialRepository implements ClientCredentialRepository {
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly setStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement<[string]>;

  constructor(private readonly ctx: StoreContext) {
    this.getStmt = ctx.db.prepare(
      `SELECT c.user_id, u.tenant_id, c.realm, c.ha1_md5, c.ha1_sha256, c.set_at
       FROM client_credentials c JOIN users u ON u.id = c.user_id WHERE c.user_id = ?`,
    );
    this.setStmt = ctx.db.prepare(
      `INSERT INTO client_credentials (user_id, realm, ha1_md5, ha1_sha256, set_at)
       VALUES (@userId, @realm, @ha1Md5, @ha1Sha256, @setAt)
       ON CONFLICT (user_id) DO UPDATE SET realm = excluded.realm, ha1_md5 = excluded.ha1_md5,
         ha1_sha256 = excluded.ha1_sha256, set_at = excluded.set_at`,
    );
    this.deleteStmt = ctx.db.prepare("DELETE FROM client_credentials WHERE user_id = ?");
  }

  get(userId: string): ClientCredential | undefined {
    const r = this.getStmt.get(userId);
    return (
      r && {
        userId: r.user_id,
        tenantId: r.tenant_id,
        realm: r.realm,
        ha1Md5: r.ha1_md5,
        ha1Sha256: r.ha1_sha256,
        setAt: r.set_at,
      }
    );
  }

  set(credential: Omit<ClientCredential, "tenantId">): void {
    const { userId, realm, ha1Md5, ha1Sha256, setAt } = credential;
    this.ctx.write(() => this.setStmt.run({ userId, realm, ha1Md5, ha1Sha256, setAt }));
  }

  delete(userId: string): boolean {
    return this.ctx.write(() => this.deleteStmt.run(userId).changes > 0);
  }
}
