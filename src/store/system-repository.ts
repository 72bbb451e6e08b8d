import type Database from "better-sqlite3";
import {
  DEFAULT_SIMULTANEOUS_CALLS,
  DomainError,
  type Numbering,
  newId,
  type PbxSystem,
  validateLabel,
  validateNumbering,
  validateSimultaneousCalls,
  validateSystemId,
} from "../domain/index.js";
import type { SystemInput, SystemRepository, UpsertResult } from "./store.js";
import { type StoreContext, systemKey } from "./store-context.js";

interface SystemRow {
  id: string;
  tenant_id: string;
  system_id: string;
  name: string;
  version: string | null;
  simultaneous_calls: number;
  numbering_schema: string;
  country_code: string | null;
  area_code: string | null;
  pabx_number: string | null;
  created_at: number;
}

function toSystem(r: SystemRow): PbxSystem {
  const system: PbxSystem = {
    id: r.id,
    tenantId: r.tenant_id,
    systemId: r.system_id,
    name: r.name,
    simultaneousCalls: r.simultaneous_calls,
    numbering: validateNumbering({
      schema: r.numbering_schema,
      countryCode: r.country_code,
      areaCode: r.area_code,
      pabxNumber: r.pabx_number,
    }),
    createdAt: r.created_at,
  };
  if (r.version !== null) system.version = r.version;
  return system;
}

function toRow(s: PbxSystem): SystemRow {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    system_id: s.systemId,
    name: s.name,
    version: s.version ?? null,
    simultaneous_calls: s.simultaneousCalls,
    numbering_schema: s.numbering.schema,
    country_code: s.numbering.countryCode ?? null,
    area_code: s.numbering.areaCode ?? null,
    pabx_number: s.numbering.pabxNumber ?? null,
    created_at: s.createdAt,
  };
}

const DEFAULT_NUMBERING: Numbering = { schema: "international" };

export class SqliteSystemRepository implements SystemRepository {
  private readonly insertStmt: Database.Statement<[SystemRow]>;
  private readonly updateStmt: Database.Statement<[SystemRow]>;
  private readonly deleteStmt: Database.Statement<[string]>;

  constructor(private readonly ctx: StoreContext) {
    this.insertStmt = ctx.db.prepare(
      `INSERT INTO systems (id, tenant_id, system_id, name, version, simultaneous_calls, numbering_schema,
         country_code, area_code, pabx_number, created_at)
       VALUES (@id, @tenant_id, @system_id, @name, @version, @simultaneous_calls, @numbering_schema,
         @country_code, @area_code, @pabx_number, @created_at)`,
    );
    this.updateStmt = ctx.db.prepare(
      `UPDATE systems SET name = @name, version = @version, simultaneous_calls = @simultaneous_calls,
         numbering_schema = @numbering_schema, country_code = @country_code, area_code = @area_code,
         pabx_number = @pabx_number
       WHERE id = @id`,
    );
    this.deleteStmt = ctx.db.prepare("DELETE FROM systems WHERE id = ?");
  }

  load(): void {
    const rows = this.ctx.db.prepare("SELECT * FROM systems").all() as SystemRow[];
    for (const r of rows) this.ctx.systems.put(toSystem(r));
  }

  upsert(input: SystemInput): UpsertResult<PbxSystem> {
    if (!this.ctx.tenants.get(input.tenantId)) {
      throw new DomainError("tenant_not_found", `no tenant ${input.tenantId}`, "tenantId");
    }
    const systemId = validateSystemId(input.systemId);
    const existing = this.getBySystemId(input.tenantId, systemId);
    const system: PbxSystem = {
      id: existing?.id ?? newId("sy"),
      tenantId: input.tenantId,
      systemId,
      name: validateLabel(input.name ?? existing?.name ?? systemId, "name"),
      simultaneousCalls: validateSimultaneousCalls(
        input.simultaneousCalls ?? existing?.simultaneousCalls ?? DEFAULT_SIMULTANEOUS_CALLS,
      ),
      numbering: validateNumbering(input.numbering ?? existing?.numbering ?? DEFAULT_NUMBERING),
      createdAt: existing?.createdAt ?? input.createdAt ?? this.ctx.now(),
    };
    const version = input.version ?? existing?.version;
    if (version !== undefined) system.version = validateLabel(version, "version");
    return this.ctx.write(() => {
      (existing ? this.updateStmt : this.insertStmt).run(toRow(system));
      return { value: this.ctx.systems.put(system), created: !existing };
    });
  }

  get(id: string): PbxSystem | undefined {
    return this.ctx.systems.get(id);
  }

  getBySystemId(tenantId: string, systemId: string): PbxSystem | undefined {
    return this.ctx.systems.find("systemId", systemKey(tenantId, systemId));
  }

  listByTenant(tenantId: string): PbxSystem[] {
    return this.ctx.systems
      .filter((s) => s.tenantId === tenantId)
      .sort((a, b) => a.createdAt - b.createdAt || a.systemId.localeCompare(b.systemId));
  }

  delete(id: string): boolean {
    return this.ctx.write(() => {
      if (this.deleteStmt.run(id).changes === 0) return false;
      // ON DELETE CASCADE removed the trunk; users' trunk_id became NULL (not cached).
      const trunk = this.ctx.trunks.find("system", id);
      if (trunk) this.ctx.trunks.remove(trunk.id);
      this.ctx.systems.remove(id);
      return true;
    });
  }
}
