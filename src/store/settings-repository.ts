import type Database from "better-sqlite3";
import type { SettingsRepository } from "./store.js";
import type { StoreContext } from "./store-context.js";

export class SqliteSettingsRepository implements SettingsRepository {
  private readonly getStmt: Database.Statement<[string], { value: string }>;
  private readonly setStmt: Database.Statement<[string, string]>;
  private readonly deleteStmt: Database.Statement<[string]>;

  constructor(private readonly ctx: StoreContext) {
    this.getStmt = ctx.db.prepare("SELECT value FROM settings WHERE key = ?");
    this.setStmt = ctx.db.prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    this.deleteStmt = ctx.db.prepare("DELETE FROM settings WHERE key = ?");
  }

  get(key: string): string | undefined {
    return this.getStmt.get(key)?.value;
  }

  set(key: string, value: string): void {
    this.ctx.write(() => this.setStmt.run(key, value));
  }

  delete(key: string): boolean {
    return this.ctx.write(() => this.deleteStmt.run(key).changes > 0);
  }
}
