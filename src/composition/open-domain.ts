import type { Logger } from "pino";
import { AdminToken } from "../auth/index.js";
import type { EmulatorConfig } from "../config/index.js";
import { applySeedFaults, FaultEngine } from "../faults/index.js";
import {
  applySeed,
  loadSeedFile,
  type SeedDocument,
  seedAfter,
  seedClock,
  weakSeedKeys,
} from "../seed/index.js";
import { JwtService, UserService } from "../services/index.js";
import type { ControllableClock } from "../shared/clock.js";
import type { Readiness } from "../shared/readiness.js";
import { openStore, type Store } from "../store/index.js";
import type { Cleanup } from "./cleanup.js";

/** Step 1: the store with the seed applied, and the domain that lives on it alone. */
export interface DomainLayer {
  readonly store: Store;
  /** The seed as it now applies (what --seed-mode create kept), for the JWT step later. */
  readonly seed: SeedDocument | undefined;
  readonly adminToken: AdminToken;
  readonly users: UserService;
  /** Each tenant's JWT and whether the tenant is functional: asked by users, calls, clients. */
  readonly jwt: JwtService;
  readonly faults: FaultEngine;
}

export function openDomain(
  config: EmulatorConfig,
  env: { clock: ControllableClock; log: Logger; readiness: Readiness; cleanup: Cleanup },
): DomainLayer {
  const { clock, log, readiness, cleanup } = env;
  const faults = new FaultEngine(clock);
  readiness.set("store", "starting");
  const store = openStore({ dataDir: config.dataDir, ephemeral: config.ephemeral, clock });
  cleanup.add(() => store.close());
  const loaded = config.seed ? loadSeedFile(config.seed) : undefined;
  let seed = loaded;
  if (loaded) {
    const start = seedClock(loaded);
    if (start) clock.setState(start);
    // --seed-mode create (default) keeps what the API changed since (a rotated key…).
    const applied = applySeed(store, loaded, { clock, mode: config.seedMode, realm: config.domain });
    seed = seedAfter(loaded, applied, config.seedMode);
    applySeedFaults(faults, loaded);
    for (const tenant of weakSeedKeys(loaded)) {
      log.warn(
        { tenant },
        "seed API key is easy to guess: fine for a test fixture, not on a reachable emulator",
      );
    }
  }
  const adminToken = AdminToken.init({
    configured: config.adminToken,
    settings: store.settings,
    dataDir: config.ephemeral ? null : config.dataDir,
  });
  readiness.set("store", "up", config.ephemeral ? "in memory" : config.dataDir);
  const jwt = new JwtService(store, clock);
  const users = new UserService(store, jwt);
  return { store, seed, adminToken, users, jwt, faults };
}
