import { afterEach, describe, expect, it } from "vitest";
import { EmulatorApiError } from "../../src/index.js";
import {
  ACME_KEY,
  ACME_TRUNK,
  catalog,
  type ScenarioEmulator,
  scenarioEmulator,
  VIDCO_KEY,
} from "../support/scenario-support.js";

const PORTS = { emulator: { min: 49400, max: 49599 }, mock: { min: 49600, max: 49999 } };
/** What the wizard's automatic configuration sends for the system every scenario seeds. */
const PROVISION = { systemId: "osbiz-mock", name: "OSBiz" };
/** Acme as a running emulator has it before the key is regenerated. */
const ACME_BEFORE = `
tenants:
  - name: Acme
    apiKey: ${ACME_KEY}
    systems:
      - systemId: osbiz-mock
        trunk: { username: "${ACME_TRUNK.username}", password: "${ACME_TRUNK.password}" }
`;

let s: ScenarioEmulator | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const provision = (e: ScenarioEmulator, key: string) =>
  e.http.pbx(key, "POST", "/api/connector/v1/systems", PROVISION);

describe("scenarios the PBX sees as 'no connection to REST API'", () => {
  it("api-key-regenerated at runtime: the PBX's key gets 401 api_key_invalid, its registered trunk stays up", async () => {
    const { expect: hints } = catalog.load("api-key-regenerated");
    s = await scenarioEmulator(PORTS, { seedText: ACME_BEFORE });
    const pbx = await s.mock({ keepAliveMs: 0 });
    expect(pbx.registered).toBe(true);

    const applied = await s.apply("api-key-regenerated");
    expect(applied.tenants).toEqual([
      {
        id: await s.tenantId("Acme"),
        name: "Acme",
        apiKey: "acme-key-0002-AePgasox4hjjgUVQfdTN",
        created: false,
      },
    ]);
    const stale = await provision(s, ACME_KEY);
    expect(stale.status).toBe(hints.provisioning?.status);
    expect(stale.body.code).toBe(hints.provisioning?.code);
    expect(hints.provisioning).toEqual({ status: 401, code: "api_key_invalid" });
    expect((await provision(s, "acme-key-0002-AePgasox4hjjgUVQfdTN")).status).toBe(200);
    expect((await s.connectors("Acme")).map((c) => c.status)).toEqual(["available"]);
    expect(pbx.registered).toBe(true);
    const wizard = await s.mock({ keepAliveMs: 0 }).catch((error: unknown) => error);
    expect(wizard).toBeInstanceOf(EmulatorApiError);
    expect((wizard as EmulatorApiError).code).toBe("api_key_invalid");
  });

  it.each([
    ["jwt-not-set", "not_set", "No JWT is configured"],
    ["jwt-expired", "expired", "The JWT expired on"],
    ["jwt-invalid", "invalid", 'The JWT "seed" was invalidated'],
  ])("%s: provisioning gets 403 jwt_%s and diagnose says why", async (name, status, problem) => {
    const { expect: hints } = catalog.load(name);
    s = await scenarioEmulator(PORTS);
    await s.apply(name);
    const refused = await provision(s, VIDCO_KEY);
    expect(refused.status).toBe(hints.provisioning?.status);
    expect(refused.body.code).toBe(hints.provisioning?.code);
    expect(hints.provisioning).toEqual({ status: 403, code: `jwt_${status}` });
    const users = await s.http.pbx(VIDCO_KEY, "GET", "/api/connector/v1/users");
    expect(users.body.code).toBe(`jwt_${status}`);

    const id = await s.tenantId("Vidco");
    expect((await s.http.admin("GET", `/api/admin/tenants/${id}/jwt`)).body.status).toBe(hints.jwt);
    expect(hints.jwt).toBe(status);
    // Beside the JWT, diagnose also sees that the seeded trunk is not registered.
    const problems = (await s.diagnose("Vidco")).problems;
    const jwtProblem = problems.find((p) => p.includes(problem));
    expect(jwtProblem).toContain(hints.diagnose![0]);
    await expect(s.mock({ apiKey: VIDCO_KEY })).rejects.toThrow(`403 jwt_${status}`);
  });

  it("jwt-expiring: still provisions, and 11 days later gets 403 jwt_expired", async () => {
    const { expect: hints } = catalog.load("jwt-expiring");
    s = await scenarioEmulator(PORTS);
    await s.apply("jwt-expiring");
    expect((await provision(s, VIDCO_KEY)).status).toBe(hints.provisioning?.status);
    const id = await s.tenantId("Vidco");
    expect((await s.http.admin("GET", `/api/admin/tenants/${id}/jwt`)).body.status).toBe(hints.jwt);
    const diagnosis = await s.diagnose("Vidco");
    expect(diagnosis.problems.filter((p) => /JWT/.test(p))).toEqual([]);
    expect(diagnosis.warnings).toEqual([expect.stringMatching(/^The JWT expires on .* \(in 10 days\)/)]);

    expect((await s.http.admin("POST", "/api/admin/clock/advance", { by: "11d" })).status).toBe(200);
    const expired = await provision(s, VIDCO_KEY);
    expect([expired.status, expired.body.code]).toEqual([403, "jwt_expired"]);
  });
});
