import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { ADMIN_TOKEN, USERS_SEED, usersClient } from "../support/api-client-users.js";
import { startTestEmulator } from "../support/emulator.js";

const fixture = (name: string) =>
  readFileSync(path.join(import.meta.dirname, "../fixtures/users", name), "utf8");

let emulator: EmulatorHandle;
let api: ReturnType<typeof usersClient>;
let acme: string;

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN_TOKEN, seedText: USERS_SEED });
  api = usersClient(emulator);
  // Provisioning users needs an available connector (HowTo §2.4): the PBXs register first.
  await api.connectPbxs();
  acme = await api.tenantId("Acme");
});

afterEach(async () => {
  await api.close();
  await emulator.close();
});

const byEmail = async (email: string) => (await api.all(acme)).find((u) => u.emailAddress === email);

describe("JSON import (OpenScape Voice / 4000 style)", () => {
  it("imports an array of users", async () => {
    const res = await api.importJson(acme, JSON.parse(fixture("users.json")));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ created: 2, updated: 0, unchanged: 0, dryRun: false });
    expect(await byEmail("json1@acme.test")).toMatchObject({
      firstName: "Jörg",
      lastName: "Ähm",
      trunk: "gtc-001",
      callno: "2400",
      phoneNumber: "+4923026672400",
    });
    expect(await byEmail("json2@acme.test")).toMatchObject({
      firstName: "Łukasz",
      lastName: "Żółw",
      role: "admin",
      did: null,
      phoneNumber: "+4923026679999",
    });
  });

  it('imports {"users": [...]}, also as a dry run, and counts unchanged users on a second run', async () => {
    const body = JSON.parse(fixture("users-wrapped.json"));
    const dry = await api.importJson(acme, body, "trunk=gtc-002&dryRun=true");
    expect(dry.body).toEqual({ created: 1, updated: 0, unchanged: 0, dryRun: true });
    expect(await byEmail("wrapped@acme.test")).toBeUndefined();
    expect((await api.importJson(acme, body, "trunk=gtc-002")).body).toMatchObject({ created: 1 });
    expect(await byEmail("wrapped@acme.test")).toMatchObject({
      trunk: "gtc-002",
      did: "2500",
      phoneNumber: "2500",
    });
    expect((await api.importJson(acme, body, "trunk=gtc-002")).body).toEqual({
      created: 0,
      updated: 0,
      unchanged: 1,
      dryRun: false,
    });
  });

  it("reports every bad entry by its 1-based position and writes nothing", async () => {
    const before = await api.all(acme);
    const res = await api.importJson(acme, [
      { emailAddress: "ok@acme.test", firstName: "Ok", lastName: "Fine", locale: "de-DE" },
      "a string",
      { emailAddress: "ok@acme.test", firstName: "Dup", lastName: "Mail", locale: "de-DE" },
      { EmailAddress: "c@acme.test", firstName: "C", lastName: "Case", locale: "de-DE" },
      { emailAddress: "d@acme.test", firstName: "D", lastName: "Type", locale: "de-DE", callno: 2131 },
      { emailAddress: "e@acme.test", firstName: "E", lastName: "Extra", locale: "de-DE", department: "IT" },
      { emailAddress: "f@acme.test", lastName: "NoFirst", locale: "xx-XX" },
    ]);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("import_invalid");
    expect(
      res.body.errors.map((e: { row: number; field: string; code: string }) => [e.row, e.field, e.code]),
    ).toEqual([
      [2, "", "not_an_object"],
      [3, "emailAddress", "duplicate_email"],
      [4, "EmailAddress", "field_wrong_case"],
      [4, "emailAddress", "required"],
      [5, "callno", "invalid_type"],
      [6, "department", "unknown_field"],
      [7, "firstName", "required"],
      [7, "locale", "invalid_locale"],
    ]);
    expect(await api.all(acme)).toEqual(before);
  });

  it("answers 400 for JSON that is neither an array nor {users} and for malformed JSON", async () => {
    const wrong = await api.importJson(acme, { people: [] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe("validation_failed");
    const broken = await api.call("POST", `${api.users(acme)}/import?trunk=gtc-001`, {
      raw: '[{"emailAddress": ',
      contentType: "application/json",
    });
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe("malformed_json");
  });

  it("takes a JSON body above the API's usual 1 MB (imports may have 10 MB)", async () => {
    const users = Array.from({ length: 12_000 }, (_, i) => ({
      emailAddress: `bulk${i}@acme.test`,
      firstName: "Bulk",
      lastName: `User ${i}`,
      locale: "en-GB",
    }));
    expect(JSON.stringify(users).length).toBeGreaterThan(1024 * 1024);
    const res = await api.importJson(acme, users, "trunk=gtc-001&dryRun=true");
    expect(res.body).toEqual({ created: 12_000, updated: 0, unchanged: 0, dryRun: true });
  });

  it("caps the problems of one entry with 5,000 unknown keys of 1 KB each: 1,000 listed, clipped", async () => {
    const entry = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`${i}`.padEnd(1024, "k"), "v"]));
    const res = await api.importJson(acme, [entry]);
    expect(res.status).toBe(422);
    expect(res.bytes.length).toBeLessThan(512 * 1024);
    expect(res.body.errors).toHaveLength(1000);
    expect(res.body.errors[0]).toMatchObject({ row: 1, code: "unknown_field", field: `0${"k".repeat(98)}…` });
    expect(res.body.errorsOmitted).toBe(5000 + 4 - 1000);
    expect(res.body.detail).toBe(
      "5004 problem(s) in 1 row(s); nothing was written; the first 1000 are listed, 4004 left out",
    );
  });

  it("refuses more than 100,000 entries with 413 import_too_many_rows", async () => {
    const res = await api.importJson(
      acme,
      { users: Array.from({ length: 100_001 }, () => ({})) },
      "trunk=gtc-001&dryRun=true",
    );
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("import_too_many_rows");
  });
});
