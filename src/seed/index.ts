export {
  type ApplySeedOptions,
  applySeed,
  type SeedCounts,
  type SeedMode,
  type SeedSummary,
  seedAfter,
} from "./apply-seed.js";
export { loadSeedFile, parseSeed } from "./load-seed-file.js";
export { type SeedClock, seedClock } from "./seed-clock.js";
export type { SeedDocument, SeedSystem, SeedTenant, SeedTrunk, SeedUser } from "./seed-document.js";
export { formatSeedPath, SeedError, type SeedIssue, type SeedPath } from "./seed-error.js";
export { sourceOf } from "./seed-source.js";
export { SEED_KEYS, validateSeed } from "./validate-seed.js";
export { weakSeedKeys } from "./weak-seed-keys.js";
