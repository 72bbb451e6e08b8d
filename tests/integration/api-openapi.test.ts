import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { EventStreamClient } from "../support/event-stream-client.js";
import { type HttpAnswer, httpClient } from "../support/http.js";

const METHODS = ["get", "put", "post", "patch", "delete"] as const;

interface Operation {
  method: string;
  path: string;
  security: Record<string, string[]>[] | undefined;
  /** Answers a never-ending text/event-stream: read up to its status only. */
  stream: boolean;
}

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let operations: Operation[];
let apiKey: string;
// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is asserted field by field
let doc: any;
type OperationDoc = { security?: []; responses?: Record<string, { content?: Record<string, unknown> }> };

beforeAll(async () => {
  // A tenant with a generated API key, read back over the API below.
  emulator = await startTestEmulator({ seedText: "tenants:\n  - name: Acme\n" });
  http = httpClient(emulator);
  doc = (await http.call("GET", "/openapi.json")).body;
  const [tenant] = (await http.admin("GET", "/api/admin/tenants")).body as { id: string }[];
  apiKey = (await http.admin("GET", `/api/admin/tenants/${tenant!.id}/api-key`)).body.apiKey;
  operations = Object.entries(doc.paths as Record<string, Record<string, OperationDoc>>).flatMap(
    ([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => ({
        method: m.toUpperCase(),
        path,
        security: item[m]!.security,
        stream: Boolean(item[m]!.responses?.["200"]?.content?.["text/event-stream"]),
      })),
  );
});

afterAll(async () => {
  await emulator.close();
});

/** The operation's path with each `{param}` filled in (nothing exists by that name: 404s are fine). */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, "openapi-probe");
const refused = (answer: HttpAnswer, code: string) => answer.status === 401 && answer.body?.code === code;
const passedAuth = (answer: HttpAnswer) => answer.status !== 401 && answer.status !== 429;

describe("OpenAPI: per-operation security, as the routes enforce it", () => {
  it("declares the two schemes: admin bearer token and the tenant's X-API-Key header", () => {
    expect(doc.components.securitySchemes).toMatchObject({
      adminToken: { type: "http", scheme: "bearer" },
      apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
    });
    expect(operations.length).toBeGreaterThan(40);
  });

  it("gives every operation a security list naming one declared scheme, or none", () => {
    const schemes = Object.keys(doc.components.securitySchemes);
    for (const op of operations) {
      expect(op.security, `${op.method} ${op.path}`).toBeInstanceOf(Array);
      for (const requirement of op.security!) {
        for (const name of Object.keys(requirement)) expect(schemes).toContain(name);
      }
    }
    const declared = (path: string, method: string) =>
      operations.find((op) => op.path === path && op.method === method.toUpperCase())?.security;
    expect(declared("/api/admin/tenants", "get")).toEqual([{ adminToken: [] }]);
    expect(declared("/api/jwt-portal/tokens", "post")).toEqual([{ adminToken: [] }]);
    expect(declared("/api/connector/v1/systems", "post")).toEqual([{ apiKey: [] }]);
    expect(declared("/healthz", "get")).toEqual([]);
  });

  it("matches what each route does: refused without its credential, past auth with it", async () => {
    const mismatches: string[] = [];
    for (const op of operations) {
      const path = concrete(op.path);
      const scheme = op.security?.[0] ? Object.keys(op.security[0])[0] : "none";
      const bare = () => http.call(op.method, path);
      const label = `${op.method} ${op.path} (declares ${scheme})`;
      // The credential is sent first each time: a success between failures keeps the
      // per-source lockout far from tripping.
      if (scheme === "adminToken" && op.stream) {
        const events = await EventStreamClient.open(emulator);
        await events.close();
        const without = await bare();
        if (events.status !== 200 || !refused(without, "admin_token_missing"))
          mismatches.push(`${label}: with token ${events.status}, without ${without.status}`);
      } else if (scheme === "adminToken") {
        const withToken = await http.admin(op.method, path);
        const without = await bare();
        if (!passedAuth(withToken) || !refused(without, "admin_token_missing"))
          mismatches.push(`${label}: with token ${withToken.status}, without ${without.status}`);
      } else if (scheme === "apiKey") {
        const withKey = await http.pbx(apiKey, op.method, path);
        const without = await bare();
        if (!passedAuth(withKey) || !refused(without, "api_key_missing"))
          mismatches.push(`${label}: with key ${withKey.status}, without ${without.status}`);
      } else {
        const without = await bare();
        if (!passedAuth(without)) mismatches.push(`${label}: without credentials ${without.status}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
