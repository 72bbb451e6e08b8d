import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSeedFile, parseSeed, SeedError, type SeedIssue } from "../../../src/seed/index.js";

const dir = mkdtempSync(join(tmpdir(), "upe-seed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function issuesOf(fn: () => unknown): { error: SeedError; issues: readonly SeedIssue[] } {
  try {
    fn();
  } catch (error) {
    if (error instanceof SeedError) return { error, issues: error.issues };
    throw error;
  }
  throw new Error("expected a SeedError");
}

const SPEC_EXAMPLE = `tenants:
  - name: Acme
    flavour: openscape          # or video
    apiKey: acme-key-0001
    systems:
      - systemId: osbiz-1
        trunk: { username: "3919209257", password: "s3cret-Trunk-1" }
    users:
      - { emailAddress: a@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", phoneNumber: "+4923026672131", system: osbiz-1 }
`;

describe("loadSeedFile", () => {
  it("loads the SPEC §3.1 example", () => {
    const seed = loadSeedFile(file("spec.yaml", SPEC_EXAMPLE));
    expect(seed).toEqual({
      tenants: [
        {
          name: "Acme",
          flavour: "openscape",
          apiKey: "acme-key-0001",
          systems: [{ systemId: "osbiz-1", trunk: { username: "3919209257", password: "s3cret-Trunk-1" } }],
          users: [
            {
              emailAddress: "a@acme.test",
              firstName: "Al",
              lastName: "Ace",
              locale: "de-DE",
              callno: "2131",
              phoneNumber: "+4923026672131",
              system: "osbiz-1",
            },
          ],
        },
      ],
    });
  });

  it("loads JSON with a BOM and passes reserved keys through untouched", () => {
    const json = {
      clock: { start: "2025-01-01T00:00:00Z", frozen: true },
      faults: [{ match: { method: "REGISTER" }, action: { respond: 503 } }],
      tenants: [{ name: "Video Co", flavour: "video", jwt: { status: "active", label: "ci" } }],
    };
    const seed = loadSeedFile(file("seed.json", `\uFEFF${JSON.stringify(json, null, 2)}`));
    expect(seed.clock).toEqual(json.clock);
    expect(seed.faults).toEqual(json.faults);
    expect(seed.tenants[0]).toEqual({
      name: "Video Co",
      flavour: "video",
      jwt: { status: "active", label: "ci" },
      systems: [],
      users: [],
    });
  });

  it("computes a missing phoneNumber from callno and numbering", () => {
    const seed = parseSeed(`tenants:
  - name: Acme
    systems:
      - systemId: osbiz-1
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
      - systemId: osbiz-2
        numbering: { schema: internal }
    users:
      - { emailAddress: a@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }
      - { emailAddress: b@acme.test, firstName: Bo, lastName: Bee, locale: en-US, callno: "2132", system: osbiz-2 }
      - { emailAddress: c@acme.test, firstName: Cy, lastName: Cee, locale: en-US, callno: "2133" }
`);
    expect(seed.tenants[0]!.users.map((u) => u.phoneNumber)).toEqual(["+4923026672131", "2132", undefined]);
  });

  it("names file, path and line:column of a schema error", () => {
    const path = file(
      "bad-username.yaml",
      `tenants:
  - name: Acme
    systems:
      - systemId: osbiz-0
      - systemId: osbiz-1
        trunk:
          username: "12345"
`,
    );
    const { error, issues } = issuesOf(() => loadSeedFile(path));
    expect(issues).toEqual([
      {
        path: "tenants[0].systems[1].trunk.username",
        message: expect.stringContaining("10 digits"),
        line: 7,
        column: 21,
      },
    ]);
    expect(error.file).toBe(path);
    expect(error.message).toContain(`${path}:7:21: tenants[0].systems[1].trunk.username: `);
  });

  it("rejects unknown keys at every level, pointing at the key", () => {
    const { issues } = issuesOf(() =>
      parseSeed(
        `tenant: []
tenants:
  - name: Acme
    apikey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - { systemId: osbiz-1, trunk: { username: "3919209257", passwd: x } }
    users:
      - emailAddress: a@acme.test
        firstName: Al
        lastName: Ace
        locale: de-DE
        phone: "+4923026672131"
`,
        "typos.yaml",
      ),
    );
    expect(issues.map((i) => [i.path, i.line, i.column])).toEqual([
      ["tenant", 1, 1],
      ["tenants[0].apikey", 4, 5],
      ["tenants[0].systems[0].trunk.passwd", 6, 63],
      ["tenants[0].users[0].phone", 12, 9],
    ]);
    expect(issues[1]!.message).toMatch(/unknown key "apikey" in a tenant \(allowed: .*apiKey/);
  });

  it("reports every problem at once, each with its line", () => {
    const { issues } = issuesOf(() =>
      parseSeed(`tenants:
  - name: Acme
    flavour: teams
    systems:
      - systemId: osbiz-1
        simultaneousCalls: -1
        numbering: { schema: international, areaCode: "2302" }
    users:
      - { emailAddress: not-an-email, firstName: Al, lastName: Ace, locale: xx-XX, callno: 2131, system: osbiz-9 }
      - { firstName: Bo, lastName: Bee, locale: de-DE }
  - name: acme
`),
    );
    expect(issues.map((i) => `${i.line}:${i.column} ${i.path}`)).toEqual([
      "3:14 tenants[0].flavour",
      "6:28 tenants[0].systems[0].simultaneousCalls",
      "7:20 tenants[0].systems[0].numbering.countryCode",
      "9:25 tenants[0].users[0].emailAddress",
      "9:77 tenants[0].users[0].locale",
      "9:92 tenants[0].users[0].callno",
      "9:106 tenants[0].users[0].system",
      "10:9 tenants[0].users[1].emailAddress",
      "11:11 tenants[1].name",
    ]);
    expect(issues.find((i) => i.path.endsWith("callno"))!.message).toContain('quote it: "2131"');
    expect(issues.find((i) => i.path.endsWith("users[1].emailAddress"))!.message).toBe("is required");
    expect(issues.at(-1)!.message).toBe("tenant name duplicates tenants[0].name");
  });

  it("reports duplicates of systemId, e-mail, trunk username and API key", () => {
    const { issues } = issuesOf(() =>
      parseSeed(`tenants:
  - name: A
    apiKey: shared-key-01-3fyV3wQ9TYta1UsGlNtu
    systems:
      - { systemId: s1, trunk: { username: "3919209257" } }
      - { systemId: s1 }
    users:
      - { emailAddress: x@a.test, firstName: X, lastName: X, locale: de-DE }
      - { emailAddress: X@A.test, firstName: X, lastName: X, locale: de-DE }
  - name: B
    apiKey: shared-key-01-3fyV3wQ9TYta1UsGlNtu
    systems:
      - { systemId: s1, trunk: { username: "3919209257" } }
`),
    );
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "tenants[0].systems[1].systemId: systemId duplicates tenants[0].systems[0].systemId",
      "tenants[0].users[1].emailAddress: emailAddress duplicates tenants[0].users[0].emailAddress",
      "tenants[1].systems[0].trunk.username: trunk username duplicates tenants[0].systems[0].trunk.username",
      "tenants[1].apiKey: apiKey duplicates tenants[0].apiKey",
    ]);
  });

  it("reports YAML syntax errors with line:column", () => {
    const { issues } = issuesOf(() =>
      parseSeed("tenants:\n  - name: A\n  - name: B\n    name: C\n", "dup.yaml"),
    );
    expect(issues[0]).toMatchObject({
      path: "",
      line: 4,
      column: 5,
      message: expect.stringMatching(/unique/),
    });
  });

  it("reports JSON syntax errors with line:column", () => {
    const { issues } = issuesOf(() => parseSeed('{\n  "tenants": [\n    { "name": "A", }\n  ]\n}'));
    expect(issues[0]).toMatchObject({ line: 3, column: 20, message: expect.stringMatching(/^invalid JSON/) });
  });

  it("locates schema errors in JSON files too", () => {
    const { issues } = issuesOf(() =>
      parseSeed('{\n  "tenants": [\n    { "name": "A", "flavor": "video" }\n  ]\n}'),
    );
    expect(issues[0]).toMatchObject({ path: "tenants[0].flavor", line: 3, column: 20 });
  });

  it("refuses empty documents and non-mappings", () => {
    expect(issuesOf(() => parseSeed("# nothing\n")).issues[0]!.message).toMatch(/empty/);
    expect(issuesOf(() => parseSeed("- a\n- b\n")).issues[0]).toMatchObject({
      path: "",
      message: "the seed document must be a mapping",
      line: 1,
      column: 1,
    });
    expect(issuesOf(() => parseSeed("tenants: {}\n")).issues[0]).toMatchObject({
      path: "tenants",
      message: "must be a list",
    });
  });

  it("names the file it cannot read", () => {
    const missing = join(dir, "missing.yaml");
    const { error } = issuesOf(() => loadSeedFile(missing));
    expect(error.file).toBe(missing);
    expect(error.message).toContain("cannot read the file");
  });
});
