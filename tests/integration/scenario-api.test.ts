import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EmulatorApiError } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import {
  ACME_KEY,
  ACME_TRUNK,
  catalog,
  type ScenarioEmulator,
  scenarioEmulator,
  VIDCO_KEY,
} from "../support/scenario-support.js";

const PORTS = { emulator: { min: 50000, max: 50499 }, mock: { min: 50500, max: 50999 } };
/** The vendor-FAQ faults that must each have a scenario (issue 5). */
const FAQ = [
  "not-registered-firewall",
  "api-key-regenerated",
  "jwt-not-set",
  "jwt-expiring",
  "jwt-expired",
  "jwt-invalid",
  "all-lines-busy",
  "numbering-mismatch",
  "cloned-system",
  "srtp-misconfigured",
  "tls-certificate-expired",
  "tls-version-mismatch",
  "registrar-overload-503",
  "connection-flapping",
  "slow-connector",
];
const FIREWALL_FAULTS = [
  "scenario.not-registered-firewall.firewall-rejects-tls",
  "scenario.not-registered-firewall.firewall-cuts-connection",
];

let s: ScenarioEmulator | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe("/api/admin/scenarios", () => {
  it("lists every scenario file with its description and FAQ symptom", async () => {
    s = await scenarioEmulator(PORTS);
    const res = await s.http.admin("GET", "/api/admin/scenarios");
    expect(res.status).toBe(200);
    const names = res.body.map((x: { name: string }) => x.name);
    expect(names).toEqual(catalog.names());
    expect(names).toEqual(expect.arrayContaining(FAQ));
    for (const item of res.body) {
      expect(Object.keys(item).sort()).toEqual(["description", "name", "symptom"]);
      expect(item.description.length).toBeGreaterThan(20);
    }
    expect(res.body.find((x: { name: string }) => x.name === "not-registered-firewall").symptom).toBe(
      'ITSP status of "Unify Phone (Cloud)" = not registered',
    );
    expect((await s.http.call("GET", "/api/admin/scenarios")).status).toBe(401);
  });

  it("shows one scenario whole: cause, seed, the faults with their ids, the expected outcome and how to run it", async () => {
    s = await scenarioEmulator(PORTS);
    const res = await s.http.admin("GET", "/api/admin/scenarios/registrar-overload-503");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "registrar-overload-503",
      cause: expect.stringContaining("Retry-After"),
      seed: { tenants: [{ name: "Acme", apiKey: ACME_KEY }] },
      faults: [
        {
          id: "scenario.registrar-overload-503.registrar-overloaded",
          layer: "sip",
          match: { direction: "in", method: "REGISTER" },
          action: { type: "respond", status: 503, retryAfter: 120 },
        },
      ],
      expect: { register: { status: 503, retryAfter: 120 }, connector: "unavailable" },
    });
    expect(res.body.file).toMatch(/scenarios[\\/]registrar-overload-503\.yaml$/);
    expect(res.body.run[0]).toBe(
      "npx unify-phone-emulator --ephemeral --admin-token demo-token --scenario registrar-overload-503",
    );
  });

  it("answers 404 scenario_not_found for a name not in the catalog, and never reads a path", async () => {
    s = await scenarioEmulator(PORTS);
    for (const [method, url] of [
      ["GET", "/api/admin/scenarios/no-such-fault"],
      ["POST", "/api/admin/scenarios/no-such-fault/apply"],
      ["POST", `/api/admin/scenarios/${encodeURIComponent("../scenarios/jwt-expired.yaml")}/apply`],
    ] as const) {
      const res = await s.http.admin(method, url);
      expect([res.status, res.body.code]).toEqual([404, "scenario_not_found"]);
    }
    const res = await s.http.admin("GET", "/api/admin/scenarios/no-such-fault");
    expect(res.body.detail).toContain("available: all-lines-busy, api-key-regenerated");
  });

  it("applies a scenario: reports what it created, and applying again only replaces its faults", async () => {
    s = await scenarioEmulator(PORTS);
    const first = await s.apply("not-registered-firewall");
    const acme = await s.tenantId("Acme");
    expect(first).toMatchObject({
      scenario: "not-registered-firewall",
      symptom: 'ITSP status of "Unify Phone (Cloud)" = not registered',
      tenants: [{ id: acme, name: "Acme", apiKey: ACME_KEY, created: true }],
      // Al and the tenant's Administrator
      seed: { created: { tenants: 1, systems: 1, trunks: 1, users: 2 } },
      registrar: { duplicateRegistration: "last-wins" },
      faults: { removed: [] },
      expect: { connector: "unavailable" },
    });
    expect(first.faults.added.map((f: { id: string }) => f.id)).toEqual(FIREWALL_FAULTS);
    expect(Date.parse(first.clock.now)).toBeGreaterThan(0);

    const again = await s.apply("not-registered-firewall");
    expect(again.tenants).toEqual([{ id: acme, name: "Acme", apiKey: ACME_KEY, created: false }]);
    expect(again.seed.created).toEqual({ tenants: 0, systems: 0, trunks: 0, users: 0 });
    expect(again.seed.unchanged).toEqual({ tenants: 1, systems: 1, trunks: 1, users: 1 });
    expect(again.faults.removed).toEqual(FIREWALL_FAULTS);

    const mine = await s.http.admin("POST", "/api/admin/faults", {
      id: "my-own",
      layer: "sip",
      match: { method: "OPTIONS" },
      action: { type: "drop" },
    });
    expect(mine.status).toBe(201);
    const next = await s.apply("cloned-system");
    expect(next.faults).toEqual({ added: [], removed: FIREWALL_FAULTS });
    expect(next.registrar).toEqual({ duplicateRegistration: "flap" });
    expect((await s.faults()).map((f) => f.id)).toEqual(["my-own"]);
  });

  it("answers 422 scenario_invalid naming the file and line when the seed cannot be applied", async () => {
    const clash = `
tenants:
  - name: Other
    systems:
      - systemId: other-pbx
        trunk: { username: "${ACME_TRUNK.username}", password: "another-Passw0rd" }
`;
    s = await scenarioEmulator(PORTS, { seedText: clash });
    const res = await s.http.admin("POST", "/api/admin/scenarios/not-registered-firewall/apply");
    expect([res.status, res.body.code]).toEqual([422, "scenario_invalid"]);
    const file = catalog.load("not-registered-firewall").file;
    const line =
      readFileSync(file, "utf8")
        .split("\n")
        .findIndex((l) => l.includes(ACME_TRUNK.username)) + 1;
    expect(res.body.errors).toEqual([
      {
        field: "seed.tenants[0].systems[0].trunk.username",
        code: "invalid",
        message: `${file}:${line}:30: seed.tenants[0].systems[0].trunk.username: this trunk username is in use (trunk_username_taken)`,
      },
    ]);
    expect(await s.faults()).toEqual([]);
  });
});

describe("--scenario at startup", () => {
  it("starts with a catalog scenario applied (jwt-expired: provisioning refused from the first request)", async () => {
    const emulator = await startTestEmulator({ seedText: "tenants: []\n", scenario: "jwt-expired" });
    try {
      const provisioning = emulator.client.asPbx(VIDCO_KEY).connector.provision({ systemId: "osbiz-mock" });
      const error = await provisioning.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmulatorApiError);
      expect([(error as EmulatorApiError).status, (error as EmulatorApiError).code]).toEqual([
        403,
        "jwt_expired",
      ]);
    } finally {
      await emulator.close();
    }
  });

  it("takes the path of a scenario file of one's own", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "upe-scenario-"));
    const own = readFileSync(catalog.load("registrar-overload-503").file, "utf8").replace(
      "name: registrar-overload-503",
      "name: my-overload",
    );
    writeFileSync(path.join(dir, "my-overload.yaml"), own);
    const emulator = await startTestEmulator({
      adminToken: "own-scenario",
      seedText: "tenants: []\n",
      scenario: path.join(dir, "my-overload.yaml"),
    });
    try {
      const faults = await httpClient(emulator).admin("GET", "/api/admin/faults");
      expect(faults.body.map((f: { id: string }) => f.id)).toEqual([
        "scenario.my-overload.registrar-overloaded",
      ]);
    } finally {
      await emulator.close();
    }
  });

  it("refuses to start with an unknown scenario, naming the ones there are", async () => {
    await expect(startTestEmulator({ seedText: "tenants: []\n", scenario: "no-such-fault" })).rejects.toThrow(
      /no scenario "no-such-fault" \(available: all-lines-busy, /,
    );
  });
});
