import { describe, expect, it } from "vitest";
import { newCallId, newTag, pooledRandom } from "../../../src/shared/ids.js";

describe("ids", () => {
  it("makes distinct hex tags and Call-IDs across pool refills", () => {
    const tags = new Set<string>();
    const callIds = new Set<string>();
    // 3,000 tags (18 KB) and 3,000 Call-IDs (36 KB) draw the 4 KB pool many times over.
    for (let i = 0; i < 3000; i++) {
      tags.add(newTag());
      callIds.add(newCallId());
      pooledRandom(5);
    }
    expect(tags.size).toBe(3000);
    expect(callIds.size).toBe(3000);
    for (const tag of tags) expect(tag).toMatch(/^[0-9a-f]{12}$/);
    for (const id of callIds) expect(id).toMatch(/^[0-9a-f]{24}$/);
  });
});
