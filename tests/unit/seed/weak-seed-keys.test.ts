import { describe, expect, it } from "vitest";
import { parseSeed, weakSeedKeys } from "../../../src/seed/index.js";

describe("weakSeedKeys", () => {
  it("names the tenants whose seed key a REST admin could not choose, and loads them all the same", () => {
    const seed = parseSeed(`tenants:
  - { name: Acme, apiKey: acme-key-0001 }
  - { name: Strong, apiKey: Xq7vR2mK9pLw4tZs8nBc3yHd6fJg1aQe }
  - { name: Generated }
`);
    expect(seed.tenants.map((t) => t.apiKey)).toEqual([
      "acme-key-0001",
      "Xq7vR2mK9pLw4tZs8nBc3yHd6fJg1aQe",
      undefined,
    ]);
    expect(weakSeedKeys(seed)).toEqual(["Acme"]);
  });
});
