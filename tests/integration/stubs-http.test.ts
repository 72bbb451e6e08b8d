import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

const API_KEY = "acme-key-0001-t7m7w6ToB8iPQCFUNQuX";

/** A wizard dialect the emulator does not model: POST /api/v2/systems/{id} with its own body shape. */
const PROVISION = `
id: v2-provision
request:
  method: POST
  path: /api/v2/systems/{systemId}
  headers: { x-api-key: { matches: "^[A-Za-z0-9-]+$" } }
  body: { jsonPath: "$.system.name", matches: "." }
actions:
  - provisionSystem:
      systemId: "{{ path.systemId }}"
      name: "{{ request.body.$.system.name }}"
      simultaneousCalls: "{{ request.body.$.system.channels ?? null }}"
      numbering: "{{ request.body.$.numbering ?? null }}"
response:
  status: 201
  headers: { x-served-by: "stub {{ request.method }}" }
  jsonBody:
    id: "{{ path.systemId }}"
    created: "{{ action.0.created }}"
    sip:
      user: "{{ action.0.trunk.username }}"
      password: "{{ action.0.trunk.password }}"
      registrar: "{{ action.0.sip.host }}:{{ action.0.sip.port }}"
    tenant: "{{ tenant.name }}"
`;

const FILES: Record<string, string> = {
  "provision.yaml": PROVISION,
  "whoami.json": JSON.stringify({
    id: "whoami",
    request: { method: "GET", path: "/api/v2/whoami" },
    response: {
      jsonBody: {
        tenant: "{{ tenant.name }}",
        trunk: "{{ tenant.systems[0].trunk.username }}",
        at: "{{ now }}",
        epochMs: "{{ now.epochMs }}",
        echo: "said {{ request.query.say }}",
      },
    },
  }),
  "faults.yaml": `
- id: slow
  request: { path: /api/v2/slow }
  response: { status: 202, body: "late", delayMs: 300 }
- id: reset
  request: { path: /api/v2/reset }
  response: { fault: connection-reset }
- id: empty
  request: { path: /api/v2/empty }
  response: { fault: empty-response }
- id: needs-x
  request: { path: /api/v2/needs-x }
  response: { body: "x is {{ request.query.x }}" }
- id: steal-health
  request: { path: /healthz }
  response: { status: 418, body: "a stub never beats a route" }
`,
};

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "upe-stubs-"));
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(dir, name), text);
  emulator = await startTestEmulator({ mappingsDir: dir });
  http = httpClient(emulator);
});

afterAll(async () => {
  await emulator?.close();
});

const tenantId = () => emulator.store.tenants.getByApiKey(API_KEY)!.id;

describe("HTTP stubs from mapping files", () => {
  it("provisionSystem creates a real system and trunk, its result fills the answer", async () => {
    const res = await http.pbx(API_KEY, "POST", "/api/v2/systems/lab-osbiz-7", {
      system: { name: "Lab OSBiz", channels: 6 },
    });
    expect(res.status).toBe(201);
    expect(res.headers["x-served-by"]).toBe("stub POST");
    const trunk = emulator.store.trunks
      .listByTenant(tenantId())
      .find((t) => emulator.store.systems.get(t.systemRef)?.systemId === "lab-osbiz-7")!;
    expect(res.body).toEqual({
      id: "lab-osbiz-7",
      created: true,
      sip: { user: trunk.username, password: trunk.password, registrar: `127.0.0.1:${emulator.ports.sip}` },
      tenant: "Acme",
    });
    const connectors = await http.admin("GET", `/api/admin/tenants/${tenantId()}/connectors`);
    expect(connectors.body).toContainEqual(
      expect.objectContaining({ systemId: "lab-osbiz-7", username: trunk.username, simultaneousCalls: 6 }),
    );
    // Idempotent like the connector API: the same trunk again.
    const again = await http.pbx(API_KEY, "POST", "/api/v2/systems/lab-osbiz-7", {
      system: { name: "Lab OSBiz" },
    });
    expect(again.body).toMatchObject({ created: false, sip: { user: trunk.username } });
  });

  it("a provisioning error keeps its code and status, with the fields it names", async () => {
    const res = await http.pbx(API_KEY, "POST", "/api/v2/systems/bad-numbering", {
      system: { name: "N", channels: 5000 },
    });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: "stub_action_failed", mappingId: "v2-provision" });
    expect(res.body.detail).toContain("simultaneousCalls must be an integer from 0 to 1000");
    const numbering = await http.pbx(API_KEY, "POST", "/api/v2/systems/bad-numbering", {
      system: { name: "N" },
      numbering: { type: "nonsense" },
    });
    expect(numbering.status).toBe(422);
    expect(numbering.body).toMatchObject({ code: "invalid_numbering", mappingId: "v2-provision" });
    expect(numbering.body.errors[0].field).toMatch(/^numbering/);
    expect(emulator.store.systems.getBySystemId(tenantId(), "bad-numbering")).toBeUndefined();
  });

  it("a request that fails a predicate is not the stub's: the default 404 answers", async () => {
    const res = await http.pbx(API_KEY, "POST", "/api/v2/systems/x", { other: "shape" });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });

  it("provisionSystem without a tenant's API key answers 401 problem+json, nothing is created", async () => {
    const res = await http.call("POST", "/api/v2/systems/nokey", {
      headers: { "x-api-key": "unknown-key" },
      body: { system: { name: "N" } },
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: "stub_action_failed", mappingId: "v2-provision" });
    expect(emulator.store.systems.getBySystemId(tenantId(), "nokey")).toBeUndefined();
  });

  it("templates read the API key's tenant, the emulator clock and the query", async () => {
    emulator.clock.set(Date.parse("2031-05-06T07:08:09.000Z"));
    const res = await http.pbx(API_KEY, "GET", "/api/v2/whoami?say=%22hi%22");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toContain("application/json");
    expect(res.body).toMatchObject({
      tenant: "Acme",
      trunk: "3919209257",
      echo: 'said "hi"',
      epochMs: expect.any(Number),
    });
    // The clock runs on from the time set: the answer is at or after it.
    expect(res.body.epochMs).toBeGreaterThanOrEqual(Date.parse("2031-05-06T07:08:09.000Z"));
    expect(res.body.at).toBe(new Date(res.body.epochMs).toISOString());
  });

  it("a missing template value answers 500 problem+json naming the expression", async () => {
    const res = await http.call("GET", "/api/v2/needs-x");
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({
      code: "stub_template_failed",
      mappingId: "needs-x",
      expression: "request.query.x",
    });
    expect((await http.call("GET", "/api/v2/needs-x?x=5")).text).toBe("x is 5");
  });

  it("delays the answer by delayMs", async () => {
    const started = performance.now();
    const res = await http.call("GET", "/api/v2/slow");
    expect(res.status).toBe(202);
    expect(res.text).toBe("late");
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("faults: the connection is reset or closed with no response", async () => {
    const agent = () => new Agent({ connect: { ca: emulator.certificates.caCertPem! } });
    // A TCP RST shows as ECONNRESET; a closed connection with no answer as "other side closed".
    for (const [fault, seen] of [
      ["reset", /ECONNRESET/],
      ["empty", /other side closed/],
    ] as const) {
      const dispatcher = agent();
      await expect(request(`${emulator.urls.https}/api/v2/${fault}`, { dispatcher })).rejects.toThrow(seen);
      await dispatcher.close();
    }
  });

  it("routes win over stubs", async () => {
    const res = await http.call("GET", "/healthz");
    expect(res.status).toBe(200);
  });

  it("the mapping list shows source file, version and hits; reset-hits zeroes them", async () => {
    const list = await http.admin("GET", "/api/admin/mappings");
    expect(list.status).toBe(200);
    const byId = Object.fromEntries((list.body as { id: string; hits: number }[]).map((m) => [m.id, m]));
    expect(byId["v2-provision"]).toMatchObject({
      kind: "http",
      version: 1,
      hits: 5,
      source: expect.stringMatching(/provision\.yaml$/),
      request: { method: "POST", path: "/api/v2/systems/{systemId}" },
    });
    expect(byId["steal-health"].hits).toBe(0);
    const reset = await http.admin("POST", "/api/admin/mappings/reset-hits");
    expect(reset.body.mappings).toBe(Object.keys(byId).length);
    expect((await http.admin("GET", "/api/admin/mappings/v2-provision")).body.hits).toBe(0);
  });
});

describe("HTTP stubs over REST", () => {
  const mapping = {
    id: "rest-one",
    request: { method: "PUT", path: "/api/v3/thing", query: { v: { equalTo: "1" } } },
    response: { status: 200, jsonBody: { ok: true, version: 1 } },
  };

  it("POST adds, the stub answers, the journal names the mapping and version; PUT bumps it; DELETE removes it", async () => {
    const created = await http.admin("POST", "/api/admin/mappings", mapping);
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe("/api/admin/mappings/rest-one");
    expect(created.body).toMatchObject({ id: "rest-one", source: "api", version: 1, hits: 0 });
    expect((await http.admin("POST", "/api/admin/mappings", mapping)).body.code).toBe("mapping_id_taken");

    const first = await http.call("PUT", "/api/v3/thing?v=1");
    expect(first.body).toEqual({ ok: true, version: 1 });

    const replaced = await http.admin("PUT", "/api/admin/mappings/rest-one", {
      ...created.body,
      response: { status: 200, jsonBody: { ok: true, version: 2 } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ version: 2, hits: 0, source: "api" });
    expect((await http.call("PUT", "/api/v3/thing?v=1")).body).toEqual({ ok: true, version: 2 });

    const journal = await http.admin("GET", "/api/admin/unmatched");
    const answered = (journal.body as { path: string; answeredBy: unknown }[])
      .filter((e) => e.path === "/api/v3/thing")
      .map((e) => e.answeredBy);
    expect(answered).toEqual(
      expect.arrayContaining([{ mappingId: "rest-one@v1" }, { mappingId: "rest-one@v2" }]),
    );

    expect((await http.admin("DELETE", "/api/admin/mappings/rest-one")).status).toBe(204);
    expect((await http.admin("GET", "/api/admin/mappings/rest-one")).body.code).toBe("mapping_not_found");
    expect((await http.call("PUT", "/api/v3/thing?v=1")).status).toBe(404);
  });

  it("an invalid mapping is refused 422 problem+json naming each field", async () => {
    const res = await http.admin("POST", "/api/admin/mappings", {
      request: { path: "/x", headers: { "x-a": { matches: "(a*)*" } } },
      response: { status: 42 },
    });
    expect(res.status).toBe(422);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.body.code).toBe("mapping_invalid");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([
      "mapping.request.headers.x-a.matches",
      "mapping.response.status",
    ]);
  });

  it("the mapping API needs the admin token", async () => {
    expect((await http.call("GET", "/api/admin/mappings")).status).toBe(401);
  });
});
