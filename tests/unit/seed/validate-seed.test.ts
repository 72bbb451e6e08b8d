import { describe, expect, it } from "vitest";
import { SeedError, validateSeed } from "../../../src/seed/index.js";

describe("validateSeed", () => {
  it("normalises a parsed object: default flavour, empty lists, canonical locale", () => {
    const seed = validateSeed({
      tenants: [
        {
          name: "Acme",
          users: [{ emailAddress: "a@acme.test", firstName: "A", lastName: "B", locale: "en_us" }],
        },
      ],
    });
    expect(seed.tenants[0]).toEqual({
      name: "Acme",
      flavour: "openscape",
      systems: [],
      users: [{ emailAddress: "a@acme.test", firstName: "A", lastName: "B", locale: "en-US" }],
    });
  });

  it("accepts a document without tenants", () => {
    expect(validateSeed({ clock: { frozen: true } })).toEqual({ tenants: [], clock: { frozen: true } });
  });

  it("throws a SeedError with paths (no positions without source text)", () => {
    let error: unknown;
    try {
      validateSeed({ tenants: [{ name: "Acme", systems: [{ systemId: "s1", trunk: { auth: "yes" } }] }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SeedError);
    expect((error as SeedError).issues).toEqual([
      { path: "tenants[0].systems[0].trunk.auth", message: "must be true or false" },
    ]);
    expect((error as SeedError).message).toContain("tenants[0].systems[0].trunk.auth: must be true or false");
  });

  it("refuses a phone number that cannot be built", () => {
    expect(() =>
      validateSeed({
        tenants: [
          {
            name: "Acme",
            systems: [
              { systemId: "s1", numbering: { countryCode: "49", areaCode: "2302", pabxNumber: "667" } },
            ],
            users: [
              {
                emailAddress: "a@a.test",
                firstName: "A",
                lastName: "B",
                locale: "de-DE",
                callno: "1234567",
                system: "s1",
              },
            ],
          },
        ],
      }),
    ).toThrow(/tenants\[0\]\.users\[0\]\.callno: .*E\.164 allows at most 15/);
  });

  it("refuses internal numbering for a Unify Video tenant, naming numbering.schema", () => {
    const system = { systemId: "v-1", numbering: { schema: "internal" } };
    expect(() =>
      validateSeed({ tenants: [{ name: "Video Co", flavour: "video", systems: [system] }] }),
    ).toThrow(
      /tenants\[0\]\.systems\[0\]\.numbering\.schema: must be international for a Unify Video tenant/,
    );
    expect(validateSeed({ tenants: [{ name: "Acme", systems: [system] }] }).tenants[0]!.systems).toHaveLength(
      1,
    );
  });
});
