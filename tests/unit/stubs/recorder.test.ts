import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadMappingFiles, recordDraft } from "../../../src/stubs/index.js";
import type { HttpMapping } from "../../../src/stubs/mapping.js";
import { matchHttp } from "../../../src/stubs/match-request.js";
import type { UnmatchedHttpRequest } from "../../../src/stubs/stub-port.js";

const request = (over: Partial<UnmatchedHttpRequest>): UnmatchedHttpRequest => ({
  method: "PUT",
  url: "/api/x%20y?z=1",
  path: "/api/x%20y",
  query: { z: "1" },
  headers: { "x-weird": "a\u0001b\u007f", "content-type": "text/plain" },
  body: Buffer.from("line one\u0000\r\nline\u001b[31m two\u2028three"),
  remoteAddress: "127.0.0.1",
  ...over,
});

describe("--record drafts", () => {
  it("control characters seen in headers and body are not copied into the draft; it matches its request", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "upe-drafts-"));
    const req = request({});
    const file = recordDraft(dir, req);
    expect(file).toBe(path.join(dir, "put-api-x-20y.yaml"));
    const text = readFileSync(file!, "utf8");
    expect(text).toContain("#   x-weird: a?b?");
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const [loaded] = loadMappingFiles(dir);
    expect(loaded?.mapping.id).toBe("recorded-put-api-x-20y");
    expect(matchHttp((loaded!.mapping as HttpMapping).request, req)).toEqual({ path: {} });
    expect(matchHttp((loaded!.mapping as HttpMapping).request, request({ method: "GET" }))).toBeUndefined();
  });

  it("paths a draft could not match as written are not recorded", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "upe-drafts-"));
    for (const p of ["/a/{b", "/a/{b}", "*", `/${"x".repeat(2000)}`])
      expect(recordDraft(dir, request({ path: p, url: p })), p).toBeUndefined();
    expect(loadMappingFiles(dir)).toEqual([]);
  });
});
