import { describe, expect, it } from "vitest";
import {
  formatAllocations,
  type SamplingProfile,
  topAllocations,
} from "../../../bench/alloc-profile-report.js";

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

// root → onData → take (allocates) → render (allocates); root → (anonymous native) allocates
const profile: SamplingProfile = {
  head: {
    id: 1,
    callFrame: frame("(root)", ""),
    children: [
      {
        id: 2,
        callFrame: frame("onData", "file:///x/dist/sip/transport/stream-connection.js", 87),
        children: [
          {
            id: 3,
            callFrame: frame("take", "file:///x/dist/registrar/refresh-shortcut.js", 57),
            children: [
              {
                id: 4,
                callFrame: frame("render", "file:///x/dist/registrar/byte-template.js", 9),
                children: [],
              },
            ],
          },
        ],
      },
      { id: 5, callFrame: frame("", ""), children: [] },
      // The same function reached by another path: its bytes add up.
      { id: 6, callFrame: frame("take", "file:///x/dist/registrar/refresh-shortcut.js", 57), children: [] },
    ],
  },
  samples: [
    { nodeId: 3, size: 4000 },
    { nodeId: 4, size: 3000 },
    { nodeId: 4, size: 1000 },
    { nodeId: 5, size: 1000 },
    { nodeId: 6, size: 1000 },
  ],
};

describe("allocation profile report", () => {
  it("sums each function's own bytes over its call sites, per operation, largest first", () => {
    const report = topAllocations(profile, 100, 10);
    expect(report.bytesPerOp).toBe(100);
    expect(report.spots).toEqual([
      {
        functionName: "take",
        location: "dist/registrar/refresh-shortcut.js:58",
        bytesPerOp: 50,
        percent: 50,
      },
      { functionName: "render", location: "dist/registrar/byte-template.js:10", bytesPerOp: 40, percent: 40 },
      { functionName: "(anonymous)", location: "(native)", bytesPerOp: 10, percent: 10 },
    ]);
    expect(topAllocations(profile, 100, 1).spots).toHaveLength(1);
    // A caller that allocates nothing itself is not listed.
    expect(report.spots.map((s) => s.functionName)).not.toContain("onData");
  });

  it("prints the total and one line per function", () => {
    const text = formatAllocations(topAllocations(profile, 100, 10), "refresh");
    expect(text.split("\n")[0]).toBe(
      "allocated 100 bytes per refresh (sampled, objects the GC collected included)",
    );
    expect(text).toContain("       50  50.0%  take  (dist/registrar/refresh-shortcut.js:58)");
    expect(topAllocations(profile, 0, 10).bytesPerOp).toBe(0);
  });
});
