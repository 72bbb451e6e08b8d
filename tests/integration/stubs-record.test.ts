import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

const API_KEY = "acme-key-0001-t7m7w6ToB8iPQCFUNQuX";

describe("--record", () => {
  it("writes a draft per method + path that, loaded at the next start, answers the same request", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "upe-record-"));
    const draft = path.join(dir, "recorded", "post-api-v9-wizard-hello.yaml");
    const body = { site: "lab", password: "pbx-Secret-9" };
    const first = await startTestEmulator({ mappingsDir: dir, record: true });
    try {
      const http = httpClient(first);
      const res = await http.pbx(API_KEY, "POST", "/api/v9/wizard/hello?step=1", body);
      expect(res.status).toBe(404);
      const text = readFileSync(draft, "utf8");
      expect(text).toContain("# Recorded by --record from POST /api/v9/wizard/hello?step=1");
      expect(text).toContain("#   x-api-key: …(redacted");
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain("pbx-Secret-9");
      // An edited draft is the user's: the next request does not overwrite it.
      writeFileSync(draft, `${text}# edited\n`);
      await http.pbx(API_KEY, "POST", "/api/v9/wizard/hello", body);
      expect(readFileSync(draft, "utf8")).toContain("# edited");
      // A request a route answers is not recorded.
      await http.call("GET", "/healthz");
      expect(existsSync(path.join(dir, "recorded", "get-healthz.yaml"))).toBe(false);
    } finally {
      await first.close();
    }

    const second = await startTestEmulator({ mappingsDir: dir });
    try {
      const http = httpClient(second);
      const res = await http.pbx(API_KEY, "POST", "/api/v9/wizard/hello?step=1", body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      const mapping = await http.admin("GET", "/api/admin/mappings/recorded-post-api-v9-wizard-hello");
      expect(mapping.body).toMatchObject({
        source: draft,
        hits: 1,
        request: { method: "POST", path: "/api/v9/wizard/hello" },
      });
    } finally {
      await second.close();
    }
  });

  it("needs a folder: --record with --ephemeral and no --mappings-dir stops the start", async () => {
    await expect(startTestEmulator({ record: true })).rejects.toThrow("--record needs a folder");
  });
});

describe("invalid mapping files", () => {
  it("stop the start, naming file:line:column: path: message", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "upe-bad-mappings-"));
    const file = path.join(dir, "bad.yaml");
    writeFileSync(file, "request:\n  path: /x\nresponse:\n  delayMs: 999999\n");
    await expect(startTestEmulator({ mappingsDir: dir })).rejects.toThrow(
      `${file}:4:12: response.delayMs: must be an integer from 0 to 60000`,
    );
  });
});
