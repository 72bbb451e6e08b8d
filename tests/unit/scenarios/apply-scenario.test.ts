import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FaultEngine } from "../../../src/faults/index.js";
import { digestHa1 } from "../../../src/registrar/digest.js";
import { type DuplicateRegistrationPolicy, MaintenanceWindow } from "../../../src/registrar/index.js";
import {
  applyScenario,
  ScenarioCatalog,
  type ScenarioDeps,
  ScenarioError,
  ScenarioRunner,
} from "../../../src/scenarios/index.js";
import { JwtService } from "../../../src/services/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { openStore, type Store } from "../../../src/store/index.js";

const T0 = Date.parse("2030-01-01T00:00:00Z");
const DAY = 86_400_000;

const scenario = (name: string, body: string) => `name: ${name}
description: ${name} for a test
symptom: what the PBX shows
cause: why
expect: { outcome: what happens }
run: ["npx unify-phone-emulator --scenario ${name}"]
${body}`;

const TIMED = scenario(
  "timed",
  `clock: { now: "2030-01-01T00:00:00Z", frozen: true, advance: 1d }
seed:
  tenants:
    - name: Vidco
      flavour: video
      apiKey: vidco-key-0001-hxlppFPkvSwdJ4jN2ikG
      jwt: { status: expiring }
`,
);
const BAD_JWT = scenario(
  "bad-jwt",
  `seed:
  tenants:
    - name: Vidco
      flavour: video
      jwt: { status: active, expiresAt: "2030-01-05T00:00:00Z" }
faults:
  - { layer: tls, action: { type: refuse } }
`,
);

const stores: Store[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), "upe-apply-"));
  writeFileSync(path.join(dir, "timed.yaml"), TIMED);
  writeFileSync(path.join(dir, "bad-jwt.yaml"), BAD_JWT);
  const clock = new ControllableClock({ start: T0, frozen: true });
  const store = openStore({ ephemeral: true, clock });
  stores.push(store);
  const faults = new FaultEngine(clock);
  const registrar: { duplicatePolicy: DuplicateRegistrationPolicy } = { duplicatePolicy: "last-wins" };
  const maintenance = new MaintenanceWindow(clock);
  const deps = (catalogDir?: string): ScenarioDeps => ({
    catalog: new ScenarioCatalog(catalogDir ?? dir),
    store,
    clock,
    jwt: new JwtService(store, clock),
    faults,
    registrar,
    defaultDuplicatePolicy: "last-wins",
    maintenance,
    realm: "lab.example.test",
  });
  return { dir, clock, store, faults, registrar, maintenance, deps };
}

describe("applyScenario", () => {
  it("hashes a seed's client password for the emulator's SIP domain, the realm clients authenticate in", async () => {
    const { dir, store, deps } = setup();
    writeFileSync(
      path.join(dir, "client.yaml"),
      scenario(
        "client",
        `seed:
  tenants:
    - name: Acme
      users:
        - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, clientPassword: "client-secret-1" }
`,
      ),
    );
    await applyScenario("client", deps());
    const al = store.users.getByEmail(store.tenants.getByName("Acme")!.id, "al@acme.test")!;
    expect(store.clientCredentials.get(al.id)).toMatchObject({
      realm: "lab.example.test",
      ha1Sha256: digestHa1("SHA-256", al.id, "lab.example.test", "client-secret-1"),
    });
  });

  it("sets the clock before the seed and advances it after, so JWT expiries are relative to the scenario's now", async () => {
    const { clock, store, deps } = setup();
    clock.set(T0 + 400 * DAY);
    clock.freeze(false);
    const applied = await applyScenario("timed", deps());
    expect(applied.clock).toEqual({ now: T0 + DAY, frozen: true, advancedMs: DAY });
    const tenant = store.tenants.getByName("Vidco")!;
    expect(tenant.createdAt).toBe(T0);
    expect(deps().jwt.status(tenant.id)).toMatchObject({ status: "expiring", expiresAt: T0 + 10 * DAY });
    expect(applied.jwt).toEqual({ changed: 1, unchanged: 0 });
    expect(applied.tenants).toEqual([
      { id: tenant.id, name: "Vidco", apiKey: "vidco-key-0001-hxlppFPkvSwdJ4jN2ikG", created: true },
    ]);
  });

  it("is idempotent on the seed: applied again, nothing is created and the JWT is left alone", async () => {
    const { deps } = setup();
    await applyScenario("timed", deps());
    const again = await applyScenario("timed", deps());
    expect(again.tenants[0]!.created).toBe(false);
    expect(again.seed.created).toEqual({ tenants: 0, systems: 0, trunks: 0, users: 0 });
    expect(again.seed.unchanged.tenants).toBe(1);
    expect(again.jwt).toEqual({ changed: 0, unchanged: 1 });
  });

  it("replaces the previous scenario's faults and registrar policy, and keeps faults added by hand", async () => {
    const { faults, registrar, deps } = setup();
    const shipped = deps(new ScenarioCatalog().dir);
    faults.add({ id: "by-hand", layer: "sip", action: { type: "drop" } });
    const firewall = await applyScenario("not-registered-firewall", shipped);
    expect(firewall.faults.removed).toEqual([]);
    expect(faults.list().map((f) => f.id)).toEqual([
      "by-hand",
      "scenario.not-registered-firewall.firewall-rejects-tls",
      "scenario.not-registered-firewall.firewall-cuts-connection",
    ]);
    await applyScenario("cloned-system", shipped);
    expect(registrar.duplicatePolicy).toBe("flap");
    const overload = await applyScenario("registrar-overload-503", shipped);
    expect(overload.faults.removed).toEqual([]);
    expect(overload.registrar).toEqual({ duplicateRegistration: "last-wins" });
    expect(registrar.duplicatePolicy).toBe("last-wins");
    expect(faults.list().map((f) => f.id)).toEqual([
      "by-hand",
      "scenario.registrar-overload-503.registrar-overloaded",
    ]);
    expect(faults.get("scenario.registrar-overload-503.registrar-overloaded")).toMatchObject({
      name: "registrar overloaded",
      hits: 0,
      action: { type: "respond", status: 503, retryAfter: 120 },
    });
  });

  it("opens the maintenance window relative to the apply, and the next scenario without one clears it", async () => {
    const { clock, maintenance, deps } = setup();
    const shipped = deps(new ScenarioCatalog().dir);
    const applied = await applyScenario("maintenance-window", shipped);
    const window = maintenance.current!;
    expect(applied.maintenance).toEqual({
      from: new Date(window.from).toISOString(),
      until: new Date(window.until).toISOString(),
    });
    expect(window.from).toBeGreaterThan(clock.now());
    expect(maintenance.refusal()).toBeUndefined();
    clock.set(window.from);
    expect(maintenance.refusal()).toMatchObject({ status: 503 });
    const next = await applyScenario("registrar-overload-503", shipped);
    expect(next.maintenance).toBeNull();
    expect(maintenance.current).toBeUndefined();
    expect(maintenance.refusal()).toBeUndefined();
  });

  it("names the scenario's line when its seed fails only at apply time, and adds no faults", async () => {
    const { dir, faults, deps } = setup();
    const error = await applyScenario("bad-jwt", deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    const file = path.join(dir, "bad-jwt.yaml");
    expect((error as ScenarioError).issues).toEqual([
      {
        path: "seed.tenants[0].jwt.expiresAt",
        message: "gives status expiring, not active, at 2030-01-01T00:00:00.000Z",
        line: 11,
        column: 41,
      },
    ]);
    expect((error as ScenarioError).message).toContain(
      `${file}:11:41: seed.tenants[0].jwt.expiresAt: gives status`,
    );
    expect(faults.list()).toEqual([]);
  });
});

describe("ScenarioRunner", () => {
  it("applies one scenario at a time: the last one asked for is the one in force", async () => {
    const { faults, deps } = setup();
    const runner = new ScenarioRunner(deps(new ScenarioCatalog().dir));
    const results = await Promise.all([
      runner.apply("not-registered-firewall"),
      runner.apply("tls-certificate-expired"),
      runner.apply("registrar-overload-503"),
    ]);
    expect(results.map((r) => r.scenario)).toEqual([
      "not-registered-firewall",
      "tls-certificate-expired",
      "registrar-overload-503",
    ]);
    expect(results[2]!.faults.removed).toEqual(["scenario.tls-certificate-expired.expired-certificate"]);
    expect(faults.list().map((f) => f.id)).toEqual(["scenario.registrar-overload-503.registrar-overloaded"]);
  });

  it("keeps working after a scenario fails", async () => {
    const { deps } = setup();
    const runner = new ScenarioRunner(deps());
    await expect(runner.apply("bad-jwt")).rejects.toThrow(ScenarioError);
    expect((await runner.apply("timed")).scenario).toBe("timed");
  });
});
