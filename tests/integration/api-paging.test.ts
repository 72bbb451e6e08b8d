import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { type HttpAnswer, httpClient } from "../support/http.js";

const SEED = `
tenants:
  - name: Acme
    systems:
      - systemId: osbiz-1
        numbering: { schema: internal }
        trunk: { username: "3919209257", password: "s3cret-Trunk-1" }
      - systemId: osbiz-2
        trunk: { username: "3919209258", password: "s3cret-Trunk-2" }
    users:
      - { emailAddress: a@acme.test, firstName: Al, lastName: Ace, locale: de-DE }
      - { emailAddress: b@acme.test, firstName: Bea, lastName: Bold, locale: de-DE }
      - { emailAddress: c@acme.test, firstName: Cy, lastName: Cole, locale: de-DE }
  - name: Beta
  - name: Gamma
`;

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let acme: string;
let apiKey: string;

/** Every listing route, as a client calls it (PBX-side with the API key, the rest as admin). */
let listings: { path: string; get: (query: string) => Promise<HttpAnswer> }[];

beforeAll(async () => {
  emulator = await startTestEmulator({ seedText: SEED });
  http = httpClient(emulator);
  const tenants = (await http.admin("GET", "/api/admin/tenants")).body as { id: string; name: string }[];
  acme = tenants.find((t) => t.name === "Acme")!.id;
  apiKey = (await http.admin("GET", `/api/admin/tenants/${acme}/api-key`)).body.apiKey;
  for (let i = 0; i < 3; i++) {
    const fault = { layer: "sip", match: { method: "MESSAGE" }, action: { type: "respond", status: 503 } };
    expect((await http.admin("POST", "/api/admin/faults", fault)).status).toBe(201);
    const token = { clientId: `client-${i}`, label: `token ${i}` };
    expect((await http.admin("POST", "/api/jwt-portal/tokens", token)).status).toBe(201);
  }
  const admin = (path: string) => ({
    path,
    get: (query: string) => http.admin("GET", `${path.replace("{tenantId}", acme)}?${query}`),
  });
  listings = [
    admin("/api/admin/tenants"),
    admin("/api/admin/tenants/{tenantId}/connectors"),
    admin("/api/admin/tenants/{tenantId}/users"),
    admin("/api/admin/calls"),
    admin("/api/admin/faults"),
    admin("/api/admin/mappings"),
    admin("/api/admin/unmatched"),
    admin("/api/admin/scenarios"),
    admin("/api/jwt-portal/tokens"),
    {
      path: "/api/connector/v1/users",
      get: (query: string) => http.pbx(apiKey, "GET", `/api/connector/v1/users?${query}`),
    },
  ];
});

afterAll(async () => {
  await emulator.close();
});

/** A page's items and the count of all matches, whether the route answers an array or a page object. */
function page(answer: HttpAnswer): { items: unknown[]; total: number } {
  expect(answer.status, answer.text).toBe(200);
  if (Array.isArray(answer.body))
    return { items: answer.body, total: Number(answer.headers["x-total-count"]) };
  return { items: answer.body.items, total: answer.body.total };
}

describe("one paging rule on every listing route (offset, limit 0–1000, default 100)", () => {
  it("the OpenAPI document gives every GET that answers a list the same offset and limit", async () => {
    const doc = (await http.call("GET", "/openapi.json")).body;
    const listed: string[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked field by field
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      const schema = item.get?.responses?.["200"]?.content?.["application/json"]?.schema;
      if (!schema || (schema.type !== "array" && schema.properties?.items?.type !== "array")) continue;
      listed.push(path);
      const params = Object.fromEntries(
        (item.get.parameters as { in: string; name: string; schema: object }[])
          .filter((p) => p.in === "query")
          .map((p) => [p.name, p.schema]),
      );
      expect(params.offset, path).toMatchObject({ type: "integer", minimum: 0, default: 0 });
      expect(params.limit, path).toMatchObject({ type: "integer", minimum: 0, maximum: 1000, default: 100 });
    }
    expect(listed.sort()).toEqual(listings.map((l) => l.path).sort());
  });

  it("refuses an out-of-range or non-integer offset or limit with 400 naming the field, on every route", async () => {
    const cases = [
      ["limit=100000000", "querystring.limit", "maximum"],
      ["limit=1001", "querystring.limit", "maximum"],
      ["limit=-1", "querystring.limit", "minimum"],
      ["limit=ten", "querystring.limit", "type"],
      ["limit=1.5", "querystring.limit", "type"],
      ["offset=-1", "querystring.offset", "minimum"],
      ["offset=99999999999", "querystring.offset", "maximum"],
      ["offset=x", "querystring.offset", "type"],
    ] as const;
    for (const listing of listings) {
      for (const [query, field, code] of cases) {
        const answer = await listing.get(query);
        expect(answer.status, `${listing.path}?${query}`).toBe(400);
        expect(answer.headers["content-type"]).toMatch(/^application\/problem\+json/);
        expect(answer.body.code).toBe("validation_failed");
        expect(answer.body.errors, `${listing.path}?${query}`).toEqual([
          expect.objectContaining({ field, code }),
        ]);
      }
    }
  });

  it("pages every route the same way: limit, offset, the total of all matches", async () => {
    for (const listing of listings) {
      const all = page(await listing.get("limit=1000"));
      expect(all.items.length, listing.path).toBe(all.total);
      const byDefault = page(await listing.get(""));
      expect(byDefault.items, listing.path).toEqual(all.items.slice(0, 100));
      expect(page(await listing.get("limit=0"))).toEqual({ items: [], total: all.total });
      expect(page(await listing.get("offset=1&limit=1")), listing.path).toEqual({
        items: all.items.slice(1, 2),
        total: all.total,
      });
      expect(page(await listing.get(`offset=${all.total}`)).items).toEqual([]);
    }
  });

  it("has data to page on every route but the empty call journal", async () => {
    const sizes = await Promise.all(listings.map(async (l) => page(await l.get("")).total));
    expect(Object.fromEntries(listings.map((l, i) => [l.path, sizes[i]]))).toMatchObject({
      "/api/admin/tenants": 3,
      "/api/admin/tenants/{tenantId}/connectors": 2,
      // Al, Bea, Cy and the tenant's Administrator
      "/api/admin/tenants/{tenantId}/users": 4,
      "/api/admin/calls": 0,
      "/api/admin/faults": 3,
      "/api/jwt-portal/tokens": 3,
      "/api/connector/v1/users": 4,
    });
    expect(sizes[listings.findIndex((l) => l.path === "/api/admin/scenarios")]).toBeGreaterThan(2);
  });

  it("answers the page object with its offset and limit on both user routes", async () => {
    const adminPage = await http.admin("GET", `/api/admin/tenants/${acme}/users?offset=2&limit=2`);
    expect(adminPage.body).toMatchObject({ total: 4, offset: 2, limit: 2 });
    // ordered by last name: Ace, Acme (the Administrator), Bold, Cole
    const pbxPage = await http.pbx(apiKey, "GET", "/api/connector/v1/users?offset=2&limit=2");
    expect(pbxPage.body).toMatchObject({ total: 4, offset: 2, limit: 2 });
    expect(pbxPage.body.items.map((u: { emailAddress: string }) => u.emailAddress)).toEqual([
      "b@acme.test",
      "c@acme.test",
    ]);
  });
});
