import { readdirSync, readFileSync } from "node:fs";
import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

const WEB_UI = new URL("../../web-ui/", import.meta.url);
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
};

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: "web-ui-admin" });
  http = httpClient(emulator);
});

afterAll(async () => {
  await emulator.close();
});

/** GET with the path sent exactly as written (a URL object would resolve "..", a browser too). */
function rawGet(path: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(
        { host: "127.0.0.1", port: emulator.ports.https, path, ca: emulator.certificates.caCertPem! },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode!, type: res.headers["content-type"], body }));
        },
      )
      .on("error", reject);
  });
}

describe("web UI files", () => {
  it("serves the page at / with a strict CSP, nosniff and no-cache, and no inline script or style", async () => {
    const page = await http.call("GET", "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toBe(CSP);
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.text).toBe(readFileSync(new URL("index.html", WEB_UI), "utf8"));
    expect(page.text).toContain('<script type="module" src="/ui/app.js"></script>');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  });

  it("serves every file of web-ui/ under /ui/ with its type, and every module the scripts import", async () => {
    // The pages themselves (index.html at /, phone.html at /phone) are served by their own routes.
    const files = readdirSync(WEB_UI).filter((f) => !f.endsWith(".html"));
    // Every file there is meant to be served: a name the server's pattern would skip is a mistake.
    for (const file of files) expect(file, file).toMatch(/^[a-z0-9-]+\.(js|css|svg|png)$/);
    expect(files).toEqual(expect.arrayContaining(["app.js", "app.css"]));
    for (const file of files) {
      const res = await http.call("GET", `/ui/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers["content-type"], file).toBe(TYPES[file.split(".").pop()!]);
      expect(res.headers["x-content-type-options"], file).toBe("nosniff");
      expect(res.headers["cache-control"], file).toBe("no-cache");
      expect(res.text, file).toBe(readFileSync(new URL(file, WEB_UI), "utf8"));
      for (const [, imported] of res.text.matchAll(/from "\.\/([^"]+)"/g)) expect(files).toContain(imported);
    }
  });

  it("answers 404 problem+json for an unknown asset and for every path traversal", async () => {
    const unknown = await http.call("GET", "/ui/x");
    expect(unknown.status).toBe(404);
    expect(unknown.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(unknown.body).toMatchObject({ status: 404, code: "not_found" });
    for (const path of [
      "/ui/../package.json",
      "/ui/..%2Fpackage.json",
      "/ui/%2e%2e%2fpackage.json",
      "/ui/%2E%2E/package.json",
      "/ui/..%5Cpackage.json",
      "/ui/index.html",
      "/ui/app.js%00.css",
      "/ui//etc/passwd",
      "/ui/",
    ]) {
      const res = await rawGet(path);
      expect(res.status, path).toBe(404);
      expect(res.type, path).toMatch(/^application\/problem\+json/);
      expect(res.body, path).not.toMatch(/devDependencies|root:/);
    }
  });

  it("keeps the page and its files out of the OpenAPI document", async () => {
    const paths = Object.keys((await http.call("GET", "/openapi.json")).body.paths);
    expect(paths).not.toContain("/");
    expect(paths.filter((p) => p.startsWith("/ui"))).toEqual([]);
  });
});

describe("what the page calls", () => {
  it("needs no token for the page, but every admin API it uses still does", async () => {
    const tenantId = (await http.admin("GET", "/api/admin/tenants")).body[0].id;
    const used = [
      "/api/admin/clock",
      "/api/admin/tenants",
      `/api/admin/tenants/${tenantId}/connectors`,
      `/api/admin/tenants/${tenantId}/diagnose`,
      `/api/admin/tenants/${tenantId}`,
      `/api/admin/tenants/${tenantId}/users?offset=0&limit=25&search=a`,
      `/api/admin/tenants/${tenantId}/jwt`,
      "/api/jwt-portal/tokens?limit=1000",
      "/api/admin/calls",
      "/api/admin/faults",
      "/api/admin/scenarios",
      "/api/admin/trace?format=text&limit=100&kind=sip,call,fault,connection,csta",
    ];
    // Each refusal is followed by the same call with the token: a success clears the failed
    // attempts, so the lockout (429 after a few failures) never hides a 401.
    for (const path of used) {
      const res = await http.call("GET", path);
      expect(res.status, path).toBe(401);
      expect(res.body, path).toMatchObject({ code: "admin_token_missing" });
      expect((await http.admin("GET", path)).status, path).toBe(200);
    }
    expect((await http.call("GET", "/readyz")).status).toBe(200);
  });
});
