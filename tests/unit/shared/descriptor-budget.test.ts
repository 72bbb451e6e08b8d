import { describe, expect, it } from "vitest";
import {
  descriptorBudget,
  FALLBACK_OPEN_FILES,
  openFilesLimit,
} from "../../../src/shared/descriptor-budget.js";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
`;

describe("openFilesLimit", () => {
  it("reads the soft limit from /proc/self/limits", () => {
    expect(openFilesLimit(() => LIMITS)).toBe(20_000);
    expect(
      openFilesLimit(() => LIMITS.replace("20000                20000", "4096                 8192")),
    ).toBe(4096);
  });

  it("counts unlimited as a large number and falls back when the file is unreadable or odd", () => {
    expect(
      openFilesLimit(() => LIMITS.replace("20000                20000", "unlimited            unlimited")),
    ).toBe(1 << 20);
    expect(
      openFilesLimit(() => {
        throw new Error("ENOENT");
      }),
    ).toBe(FALLBACK_OPEN_FILES);
    expect(openFilesLimit(() => "Max cpu time unlimited")).toBe(FALLBACK_OPEN_FILES);
  });

  it("reads this process's limit (Linux)", () => {
    expect(openFilesLimit()).toBeGreaterThan(0);
  });
});

describe("descriptorBudget", () => {
  it("leaves room for HTTPS, media and the process's own files below the limit", () => {
    const b = descriptorBudget({ openFiles: 20_000, rtpPorts: 1000 });
    expect(b).toEqual({ openFiles: 20_000, sip: 20_000 - 64 - 1000 - 1024, https: 1024, webSocket: 768 });
    expect(b.sip + b.https + 1000).toBeLessThan(20_000);
  });

  it("keeps every share positive at a small limit", () => {
    const b = descriptorBudget({ openFiles: 256, rtpPorts: 1000 });
    expect(b).toEqual({ openFiles: 256, sip: 96, https: 32, webSocket: 24 });
    expect(descriptorBudget({ openFiles: 64, rtpPorts: 1000 }).sip).toBe(8);
  });

  it("lets --max-connections lower the SIP share, never raise it", () => {
    expect(descriptorBudget({ openFiles: 20_000, rtpPorts: 1000, configuredSip: 500 }).sip).toBe(500);
    expect(descriptorBudget({ openFiles: 2048, rtpPorts: 100, configuredSip: 50_000 }).sip).toBe(
      2048 - 64 - 100 - 128,
    );
  });
});
