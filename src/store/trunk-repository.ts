import type Database from "better-sqlite3";
import {
  DomainError,
  generateTrunkPassword,
  generateTrunkUsername,
  newId,
  type Trunk,
  trunkName,
  validateTrunkPassword,
  validateTrunkUsername,
} from "../domain/index.js";
import type { NewTrunk, TrunkPatch, TrunkRepository } from "./store.js";
import { type StoreContext, trunkNameKey } from "./store-context.js";

interface TrunkRow {
  id: string;
  tenant_id: string;
  system_ref: string;
  name: string;
  username: string;
  password: string;
  auth_required: number;
  created_at: number;
}

const toTrunk = (r: TrunkRow): Trunk => ({
  id: r.id,
  tenantId: r.tenant_id,
  systemRef: r.system_ref,
  name: r.name,
  username: r.username,
  password: r.password,
  authRequired: r.auth_required === 1,
  createdAt: r.created_at,
});

const toRow = (t: Trunk): TrunkRow => ({
  id: t.id,
  tenant_id: t.tenantId,
  system_ref: t.systemRef,
  name: t.name,
  username: t.username,
  password: t.password,
  auth_required: t.authRequired ? 1 : 0,
  created_at: t.createdAt,
});

/** gtc-002 before gtc-010 before gtc-1000 */
const byName = (a: Trunk, b: Trunk): number => a.name.length - b.name.length || a.name.localeCompare(b.name);

export class SqliteTrunkRepository implements TrunkRepository {
  private readonly insertStmt: Database.Statement<[TrunkRow]>;
  private readonly updateStmt: Database.Statement<[TrunkRow]>;
  private readonly deleteStmt: Database.Statement<[string]>;
  private readonly seqStmt: Database.Statement<[string], { trunk_seq: number }>;
  private readonly bumpSeqStmt: Database.Statement<[number, string]>;

  constructor(private readonly ctx: StoreContext) {
    this.insertStmt = ctx.db.prepare(
      `INSERT INTO trunks (id, tenant_id, system_ref, name, username, password, auth_required, created_at)
       VALUES (@id, @tenant_id, @system_ref, @name, @username, @password, @auth_required, @created_at)`,
    );
    this.updateStmt = ctx.db.prepare(
      "UPDATE trunks SET username = @username, password = @password, auth_required = @auth_required WHERE id = @id",
    );
    this.deleteStmt = ctx.db.prepare("DELETE FROM trunks WHERE id = ?");
    this.seqStmt = ctx.db.prepare("SELECT trunk_seq FROM tenants WHERE id = ?");
    this.bumpSeqStmt = ctx.db.prepare("UPDATE tenants SET trunk_seq = ? WHERE id = ?");
  }

  load(): void {
    const rows = this.ctx.db.prepare("SELECT * FROM trunks").all() as TrunkRow[];
    for (const r of rows) this.ctx.trunks.put(toTrunk(r));
  }

  create(input: NewTrunk): Trunk {
    const system = this.ctx.systems.get(input.systemRef);
    if (!system) throw new DomainError("system_not_found", `no system ${input.systemRef}`, "systemRef");
    const username =
      input.username === undefined ? this.freshUsername() : validateTrunkUsername(input.username);
    const password =
      input.password === undefined ? generateTrunkPassword() : validateTrunkPassword(input.password);
    return this.ctx.write(() => {
      const sequence = this.sequence(system.tenantId) + 1;
      this.bumpSeqStmt.run(sequence, system.tenantId);
      const trunk: Trunk = {
        id: newId("tk"),
        tenantId: system.tenantId,
        systemRef: system.id,
        name: trunkName(sequence),
        username,
        password,
        authRequired: input.authRequired ?? true,
        createdAt: input.createdAt ?? this.ctx.now(),
      };
      this.insertStmt.run(toRow(trunk));
      return this.ctx.trunks.put(trunk);
    });
  }

  get(id: string): Trunk | undefined {
    return this.ctx.trunks.get(id);
  }

  getByUsername(username: string): Trunk | undefined {
    return this.ctx.trunks.find("username", username);
  }

  getBySystem(systemRef: string): Trunk | undefined {
    return this.ctx.trunks.find("system", systemRef);
  }

  getByName(tenantId: string, name: string): Trunk | undefined {
    return this.ctx.trunks.find("name", trunkNameKey(tenantId, name));
  }

  listByTenant(tenantId: string): Trunk[] {
    return this.ctx.trunks.filter((t) => t.tenantId === tenantId).sort(byName);
  }

  update(id: string, patch: TrunkPatch): Trunk {
    const existing = this.get(id);
    if (!existing) throw new DomainError("trunk_not_found", `no trunk ${id}`, "trunkId");
    const trunk: Trunk = {
      ...existing,
      username: patch.username === undefined ? existing.username : validateTrunkUsername(patch.username),
      password: patch.password === undefined ? existing.password : validateTrunkPassword(patch.password),
      authRequired: patch.authRequired ?? existing.authRequired,
    };
    return this.ctx.write(() => {
      this.updateStmt.run(toRow(trunk));
      return this.ctx.trunks.put(trunk);
    });
  }

  delete(id: string): boolean {
    return this.ctx.write(() => {
      if (this.deleteStmt.run(id).changes === 0) return false;
      this.ctx.trunks.remove(id);
      return true;
    });
  }

  nextName(tenantId: string): string {
    return trunkName(this.sequence(tenantId) + 1);
  }

  private sequence(tenantId: string): number {
    const row = this.seqStmt.get(tenantId);
    if (!row) throw new DomainError("tenant_not_found", `no tenant ${tenantId}`, "tenantId");
    return row.trunk_seq;
  }

  private freshUsername(): string {
    for (;;) {
      const username = generateTrunkUsername();
      if (!this.getByUsername(username)) return username;
    }
  }
}
