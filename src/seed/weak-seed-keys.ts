import { apiKeyWeakness } from "../domain/index.js";
import type { SeedDocument } from "./seed-document.js";

/**
 * Tenants whose seed API key is easier to guess than a generated one. A seed is a test
 * fixture (the spec's own example uses `acme-key-0001`), so such keys load — the key is in a
 * file anyway — and the caller warns; over REST the same key is refused (422).
 */
export function weakSeedKeys(seed: SeedDocument): string[] {
  return seed.tenants
    .filter((t) => t.apiKey !== undefined && apiKeyWeakness(t.apiKey) !== undefined)
    .map((t) => t.name);
}
