import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { digestHa1 } from "../../../src/registrar/digest.js";
import { applySeed, parseSeed, SeedError, seedAfter } from "../../../src/seed/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { openStore, type SqliteStore } from "../../../src/store/index.js";
import { tempDir } from "../store/store-fixtures.js";

const SEED = `tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-1
        name: OSBiz lab
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "3919209257", password: "s3cret-Trunk-1" }
      - systemId: osbiz-2
        trunk: { auth: false }
    users:
      - { emailAddress: a@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1, role: admin }
      - { emailAddress: b@acme.test, firstName: Bo, lastName: Bee, locale: en-US }
  - name: Video Co
    flavour: video
`;

describe("applySeed", () => {
  let dir: string;
  let cleanup: () => void;
  let store: SqliteStore;
  const clock = new ControllableClock({ start: 1_750_000_000_000, frozen: true });

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    store = openStore({ dataDir: dir, ephemeral: false });
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  it("creates tenants, systems, trunks and users as the seed says", () => {
    const summary = applySeed(store, parseSeed(SEED), { clock });
    // Acme lists its admin (a@, role admin); Video Co gets the default Administrator.
    expect(summary.created).toEqual({ tenants: 2, systems: 2, trunks: 2, users: 3 });
    expect(summary.tenants.map((t) => t.name)).toEqual(["Acme", "Video Co"]);

    const acme = store.tenants.getByApiKey("acme-key-0001-t7m7w6ToB8iPQCFUNQuX")!;
    expect(acme).toMatchObject({ name: "Acme", flavour: "openscape", createdAt: clock.now() });
    const trunk = store.trunks.getByUsername("3919209257")!;
    expect(trunk).toMatchObject({
      tenantId: acme.id,
      name: "gtc-001",
      password: "s3cret-Trunk-1",
      authRequired: true,
    });
    expect(store.systems.get(trunk.systemRef)).toMatchObject({ systemId: "osbiz-1", name: "OSBiz lab" });
    const second = store.trunks.getByName(acme.id, "gtc-002")!;
    expect(second.authRequired).toBe(false);
    expect(second.username).toMatch(/^[1-9][0-9]{9}$/);

    expect(store.users.getByEmail(acme.id, "a@acme.test")).toMatchObject({
      trunkId: trunk.id,
      phoneNumber: "+4923026672131",
      role: "admin",
    });
    expect(store.users.getByEmail(acme.id, "b@acme.test")).toMatchObject({ role: "user", locale: "en-US" });
    expect(store.users.getByEmail(acme.id, "b@acme.test")?.trunkId).toBeUndefined();
    const video = store.tenants.getByName("Video Co")!;
    expect(video.flavour).toBe("video");
    expect(store.users.listByTenant(video.id)).toEqual([
      expect.objectContaining({
        emailAddress: "admin@video-co.example",
        firstName: "Administrator",
        lastName: "Video Co",
        role: "admin",
      }),
    ]);
    expect(store.users.listByTenant(acme.id).filter((u) => u.role === "admin")).toHaveLength(1);
    expect(summary.tenants[1]).toEqual({
      id: video.id,
      name: "Video Co",
      apiKey: video.apiKey,
      created: true,
    });
  });

  it("is idempotent across a restart: nothing duplicated, generated secrets kept", () => {
    applySeed(store, parseSeed(SEED));
    const before = {
      tenants: store.tenants.list(),
      trunks: store.tenants.list().flatMap((t) => store.trunks.listByTenant(t.id)),
      users: store.tenants.list().flatMap((t) => store.users.list({ tenantId: t.id }).items),
    };
    store.close();
    store = openStore({ dataDir: dir, ephemeral: false });

    const summary = applySeed(store, parseSeed(SEED));
    expect(summary.created).toEqual({ tenants: 0, systems: 0, trunks: 0, users: 0 });
    expect(summary.updated).toEqual({ tenants: 0, systems: 0, trunks: 0, users: 0 });
    expect(summary.unchanged).toEqual({ tenants: 2, systems: 2, trunks: 2, users: 2 });
    expect(store.tenants.list()).toEqual(before.tenants);
    expect(store.tenants.list().flatMap((t) => store.trunks.listByTenant(t.id))).toEqual(before.trunks);
    expect(store.tenants.list().flatMap((t) => store.users.list({ tenantId: t.id }).items)).toEqual(
      before.users,
    );
  });

  it("updates matched entities with what changed", () => {
    applySeed(store, parseSeed(SEED));
    const changed = SEED.replace("s3cret-Trunk-1", "n3w-Trunk-2")
      .replace("firstName: Bo,", "firstName: Bob,")
      .replace("flavour: video", "flavour: openscape");
    const summary = applySeed(store, parseSeed(changed));
    expect(summary.updated).toEqual({ tenants: 1, systems: 0, trunks: 1, users: 1 });
    expect(store.trunks.getByUsername("3919209257")?.password).toBe("n3w-Trunk-2");
    expect(store.tenants.getByName("Video Co")?.flavour).toBe("openscape");
    const acme = store.tenants.getByName("Acme")!;
    expect(store.users.getByEmail(acme.id, "B@acme.test")?.firstName).toBe("Bob");
    expect(store.users.list({ tenantId: acme.id }).total).toBe(2);
  });

  it("in mode create adds what is missing and keeps what changed since", () => {
    applySeed(store, parseSeed(SEED), { mode: "create" });
    const acme = store.tenants.getByName("Acme")!;
    store.tenants.update(acme.id, { apiKey: "rotated-through-the-api" });
    const b = store.users.getByEmail(acme.id, "b@acme.test")!;
    store.users.delete(b.id);
    const changed = SEED.replace("s3cret-Trunk-1", "n3w-Trunk-2").replace(
      "flavour: video",
      "flavour: openscape",
    );

    const summary = applySeed(store, parseSeed(changed), { mode: "create" });
    expect(summary.created).toEqual({ tenants: 0, systems: 0, trunks: 0, users: 1 });
    expect(summary.updated).toEqual({ tenants: 0, systems: 0, trunks: 0, users: 0 });
    expect(summary.kept).toEqual({ tenants: 2, systems: 0, trunks: 1, users: 0 });
    expect(summary.tenants.map((t) => t.created)).toEqual([false, false]);
    expect(store.tenants.get(acme.id)?.apiKey).toBe("rotated-through-the-api");
    expect(store.trunks.getByUsername("3919209257")?.password).toBe("s3cret-Trunk-1");
    expect(store.tenants.getByName("Video Co")?.flavour).toBe("video");
    expect(store.users.getByEmail(acme.id, "b@acme.test")).toBeDefined();

    applySeed(store, parseSeed(changed), { mode: "reset" });
    expect(store.tenants.get(acme.id)?.apiKey).toBe("acme-key-0001-t7m7w6ToB8iPQCFUNQuX");
    expect(store.trunks.getByUsername("3919209257")?.password).toBe("n3w-Trunk-2");
  });

  it("leaves the JWT state of tenants that existed to the API in mode create", () => {
    applySeed(store, parseSeed(SEED), { mode: "create" });
    const withJwt = parseSeed(
      `${SEED.replace("flavour: video", "flavour: video\n    jwt: { status: active }")}  - name: New Co\n    jwt: { status: active }\n`,
    );
    const summary = applySeed(store, withJwt, { mode: "create" });
    expect(summary.tenants.map((t) => [t.name, t.created])).toEqual([
      ["Acme", false],
      ["Video Co", false],
      ["New Co", true],
    ]);
    expect(seedAfter(withJwt, summary, "create").tenants.map((t) => t.jwt)).toEqual([
      undefined,
      undefined,
      { status: "active" },
    ]);
    expect(seedAfter(withJwt, summary, "reset")).toBe(withJwt);
  });

  it("is all or nothing: a late store conflict leaves no trace and names the seed line", () => {
    const other = store.tenants.create({ name: "Other" });
    const system = store.systems.upsert({ tenantId: other.id, systemId: "x" }).value;
    store.trunks.create({ systemRef: system.id, username: "4000000001" });

    const seed = parseSeed(
      `${SEED}    systems:\n      - systemId: vc-1\n        trunk: { username: "4000000001" }\n`,
      "late.yaml",
    );
    let error: unknown;
    try {
      applySeed(store, seed);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SeedError);
    expect((error as SeedError).file).toBe("late.yaml");
    expect((error as SeedError).issues).toEqual([
      {
        path: "tenants[1].systems[0].trunk.username",
        message: expect.stringContaining("trunk_username_taken"),
        line: 18,
        column: 28,
      },
    ]);
    expect(store.tenants.list().map((t) => t.name)).toEqual(["Other"]);
    expect(store.trunks.getByUsername("3919209257")).toBeUndefined();
    expect(store.trunks.getByUsername("4000000001")?.tenantId).toBe(other.id);
  });

  it("maps an API key held by a tenant outside the seed to the seed path", () => {
    store.tenants.create({ name: "Other", apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX" });
    expect(() => applySeed(store, parseSeed(SEED))).toThrow(
      expect.objectContaining({
        issues: [
          expect.objectContaining({
            path: "tenants[0].apiKey",
            line: 3,
            message: expect.stringContaining("api_key_taken"),
          }),
        ],
      }),
    );
    expect(store.tenants.list()).toHaveLength(1);
  });
});

describe("applySeed: the tenant's Administrator", () => {
  let dir: string;
  let cleanup: () => void;
  let store: SqliteStore;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    store = openStore({ dataDir: dir, ephemeral: false });
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  const admins = (name: string) =>
    store.users.listByTenant(store.tenants.getByName(name)!.id).filter((u) => u.role === "admin");

  it("creates the admin named by adminEmail once, also when the seed is applied again", () => {
    const seed = parseSeed("tenants:\n  - name: Acme Corp.\n    adminEmail: boss@acme.test\n");
    applySeed(store, seed);
    applySeed(store, seed);
    expect(admins("Acme Corp.")).toEqual([
      expect.objectContaining({
        emailAddress: "boss@acme.test",
        firstName: "Administrator",
        locale: "en-US",
      }),
    ]);
  });

  it("uses the seed's user when adminEmail names it, and refuses one that is not admin", () => {
    applySeed(
      store,
      parseSeed(`tenants:
  - name: Acme
    adminEmail: al@acme.test
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, role: admin }
`),
    );
    expect(admins("Acme").map((u) => u.emailAddress)).toEqual(["al@acme.test"]);
    expect(() =>
      parseSeed(`tenants:
  - name: Beta
    adminEmail: al@beta.test
    users:
      - { emailAddress: al@beta.test, firstName: Al, lastName: Ace, locale: de-DE }
`),
    ).toThrow(/tenants\[0\]\.users\[0\]\.role.*must be admin: adminEmail names this user/s);
  });
});

describe("applySeed: what REST sets on a user besides its fields", () => {
  let dir: string;
  let cleanup: () => void;
  let store: SqliteStore;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    store = openStore({ dataDir: dir, ephemeral: false });
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  const seedWith = (password: string) =>
    parseSeed(`tenants:
  - name: Acme
    users:
      - emailAddress: al@acme.test
        firstName: Al
        lastName: Ace
        locale: de-DE
        clientPassword: "${password}"
        callBehaviour: { mode: busy, routing: virtual-only }
`);
  const al = () => store.users.getByEmail(store.tenants.getByName("Acme")!.id, "al@acme.test")!;

  it("stores the client password as the registrar's HA1s for the realm, and the call behaviour", () => {
    applySeed(store, seedWith("client-secret-1"), { realm: "sip.example.test" });
    const id = al().id;
    expect(al().callBehaviour).toEqual({ mode: "busy", routing: "virtual-only" });
    expect(store.clientCredentials.get(id)).toMatchObject({
      realm: "sip.example.test",
      ha1Md5: digestHa1("MD5", id, "sip.example.test", "client-secret-1"),
      ha1Sha256: digestHa1("SHA-256", id, "sip.example.test", "client-secret-1"),
    });
  });

  it("mode create keeps a password set since; mode reset sets the seed's again", () => {
    applySeed(store, seedWith("client-secret-1"), { mode: "create" });
    const id = al().id;
    const realm = "phoneapp.unify.com";
    applySeed(store, seedWith("changed-secret-2"), { mode: "create" });
    expect(store.clientCredentials.get(id)?.ha1Sha256).toBe(
      digestHa1("SHA-256", id, realm, "client-secret-1"),
    );
    applySeed(store, seedWith("changed-secret-2"), { mode: "reset" });
    expect(store.clientCredentials.get(id)?.ha1Sha256).toBe(
      digestHa1("SHA-256", id, realm, "changed-secret-2"),
    );
  });
});
