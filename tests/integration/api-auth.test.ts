import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type EmulatorHandle, startEmulator } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

let emulator: EmulatorHandle | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe("admin token", () => {
  it("refuses a missing or wrong token with 401 problem+json", async () => {
    emulator = await startTestEmulator({ adminToken: "right-token" });
    const http = httpClient(emulator);
    const none = await http.call("GET", "/api/admin/tenants");
    expect(none).toMatchObject({ status: 401, body: { code: "admin_token_missing" } });
    const wrong = await http.admin("GET", "/api/admin/tenants", undefined, "wrong-token");
    expect(wrong).toMatchObject({ status: 401, body: { code: "admin_token_invalid" } });
    expect((await http.admin("GET", "/api/admin/tenants")).status).toBe(200);
  });

  it("checks the token before the body: a stranger with a bad body gets 401, not schema errors", async () => {
    emulator = await startTestEmulator({ adminToken: "right-token" });
    const http = httpClient(emulator);
    const res = await http.call("POST", "/api/admin/tenants", { body: { nonsense: true } });
    expect(res).toMatchObject({ status: 401, body: { code: "admin_token_missing" } });
    expect(res.body.errors).toBeUndefined();
  });

  it("rate-limits failures per source with 429 and Retry-After, then lets the source back", async () => {
    emulator = await startTestEmulator({ adminToken: "right-token" });
    const http = httpClient(emulator);
    for (let i = 0; i < 10; i++) {
      expect((await http.admin("GET", "/api/admin/tenants", undefined, `guess-${i}`)).status).toBe(401);
    }
    const limited = await http.admin("GET", "/api/admin/tenants");
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("rate_limited");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    emulator.clock.advance(61_000);
    expect((await http.admin("GET", "/api/admin/tenants")).status).toBe(200);
  });

  it("rate-limits wrong API keys the same way", async () => {
    emulator = await startTestEmulator();
    const http = httpClient(emulator);
    for (let i = 0; i < 10; i++) {
      expect((await http.pbx(`nope-${i}`, "GET", "/api/connector/v1/systems/x")).body.code).toBe(
        "api_key_invalid",
      );
    }
    expect(
      (await http.pbx("acme-key-0001-t7m7w6ToB8iPQCFUNQuX", "GET", "/api/connector/v1/systems/osbiz-1"))
        .status,
    ).toBe(429);
  });

  it("is generated on first start, stored hashed, written 0600, and survives a restart", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "upe-token-"));
    const base = {
      bind: "127.0.0.1",
      dataDir,
      certsDir: path.join(dataDir, "certs"),
      logLevel: "silent" as const,
      httpsPort: 0,
      stunPort: null,
      sip: { port: 0 },
    };
    const first = await startEmulator(base);
    const token = first.adminToken!;
    expect(token).toMatch(/^upe_/);
    const file = path.join(dataDir, "admin-token");
    expect(readFileSync(file, "utf8").trim()).toBe(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const db = readFileSync(path.join(dataDir, "emulator.db")).toString("latin1");
    expect(db.includes(token)).toBe(false);
    await first.close();

    emulator = await startEmulator(base);
    expect(emulator.adminToken).toBeNull();
    expect(emulator.adminTokenFile).toBe(file);
    const http = httpClient(emulator);
    expect((await http.admin("GET", "/api/admin/tenants", undefined, token)).status).toBe(200);
  });
});

describe("API keys an admin chooses (issue 9.4)", () => {
  it("refuses a weak key over REST with 422 naming the field, and takes a strong one", async () => {
    emulator = await startTestEmulator({ adminToken: "right-token" });
    const http = httpClient(emulator);
    for (const apiKey of ["initech-key-0001", "initech-key-0001-initech-key-0001"]) {
      const weak = await http.admin("POST", "/api/admin/tenants", { name: "Initech", apiKey });
      expect(weak.status).toBe(422);
      expect(weak.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(weak.body.errors).toEqual([
        expect.objectContaining({ field: "apiKey", code: "invalid_api_key" }),
      ]);
      expect(weak.text).not.toContain(apiKey);
    }
    const apiKey = "initech-7Qm2xV9pLr4TzK8wNb3Hc6Yd1Fg5";
    const strong = await http.admin("POST", "/api/admin/tenants", { name: "Initech", apiKey });
    expect([strong.status, strong.body.apiKey]).toEqual([201, apiKey]);
  });

  it("loads a weak key from a seed (a test fixture, as in the spec) and warns without printing it", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
    const apiKey = "acme-key-0001";
    const seed = `tenants:\n  - name: Acme\n    apiKey: ${apiKey}\n`;
    emulator = await startTestEmulator({ seedText: seed, logger });
    const res = await httpClient(emulator).pbx(apiKey, "GET", "/api/connector/v1/users");
    expect(res.status).toBe(200);
    const warning = lines.find((l) => l.includes("seed API key is easy to guess"));
    expect(warning).toContain('"tenant":"Acme"');
    expect(lines.join("")).not.toContain(apiKey);
  });
});

describe("API description", () => {
  it("serves OpenAPI 3.1 listing the admin, portal and connector paths", async () => {
    emulator = await startTestEmulator();
    const doc = (await httpClient(emulator).call("GET", "/openapi.json")).body;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/admin/tenants",
        "/api/admin/tenants/{tenantId}/connectors",
        "/api/admin/clock/advance",
      ]),
    );
  });

  it("serves a docs page at /docs", async () => {
    emulator = await startTestEmulator();
    const http = httpClient(emulator);
    const page = await http.call("GET", "/docs/");
    expect(page.status).toBe(200);
    expect(page.text).toContain("swagger-ui");
  });
});
