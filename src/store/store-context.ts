import type Database from "better-sqlite3";
import type { PbxSystem, Tenant, Trunk } from "../domain/index.js";
import { CachedCollection } from "./cached-collection.js";
import { guarded } from "./constraint-error.js";
import { Journal } from "./journal.js";

export const systemKey = (tenantId: string, systemId: string): string => `${tenantId}\u0000${systemId}`;
export const trunkNameKey = (tenantId: string, name: string): string => `${tenantId}\u0000${name}`;

/**
 * What the repositories share: the connection, the clock, the write-through caches of
 * tenants, systems and trunks (the registrar's hot path), and `write`, which runs a
 * change in a transaction with constraint errors translated and caches journaled.
 */
export class StoreContext {
  readonly journal = new Journal();
  readonly tenants = new CachedCollection<Tenant, "name" | "apiKey">(this.journal, {
    name: (t) => t.name.toLowerCase(),
    apiKey: (t) => t.apiKey,
  });
  readonly systems = new CachedCollection<PbxSystem, "systemId">(this.journal, {
    systemId: (s) => systemKey(s.tenantId, s.systemId),
  });
  readonly trunks = new CachedCollection<Trunk, "username" | "system" | "name">(this.journal, {
    username: (t) => t.username,
    system: (t) => t.systemRef,
    name: (t) => trunkNameKey(t.tenantId, t.name),
  });
  private readonly runTransaction: (fn: () => unknown) => unknown;

  constructor(
    readonly db: Database.Database,
    readonly now: () => number,
  ) {
    this.runTransaction = db.transaction((fn: () => unknown) => fn());
  }

  /** A transaction (a savepoint when nested); on error SQLite and the caches roll back. */
  write<T>(fn: () => T): T {
    return this.journal.run(() => guarded(() => this.runTransaction(fn) as T));
  }
}
