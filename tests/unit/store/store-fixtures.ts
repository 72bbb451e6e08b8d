import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ControllableClock } from "../../../src/shared/clock.js";
import { openStore, type SqliteStore } from "../../../src/store/index.js";

export function memoryStore(): { store: SqliteStore; clock: ControllableClock } {
  const clock = new ControllableClock({ start: 1_700_000_000_000, frozen: true });
  return { store: openStore({ ephemeral: true, clock }), clock };
}

/** A fresh directory under the OS temp dir; `cleanup` removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "upe-store-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A tenant with one system and its trunk. */
export function tenantWithTrunk(store: SqliteStore, name = "Acme", systemId = "osbiz-1") {
  const tenant = store.tenants.create({ name, apiKey: `${name.toLowerCase()}-key-0001` });
  const system = store.systems.upsert({ tenantId: tenant.id, systemId }).value;
  const trunk = store.trunks.create({ systemRef: system.id });
  return { tenant, system, trunk };
}
