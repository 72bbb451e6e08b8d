import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { ADMIN_TOKEN, USERS_SEED, usersClient } from "../support/api-client-users.js";
import { startTestEmulator } from "../support/emulator.js";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "../fixtures/users", name));
const HEADER =
  "emailAddress,firstName,lastName,locale,role,trunk,callno,did,phoneNumber,routing,alternativeNumber,busyBehaviour";

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

const exportCsv = () => api.call("GET", `${api.users(acme)}/export`);

describe("CSV export", () => {
  it("is an Excel-ready attachment: BOM, CRLF, the import header, quoting, neutralised formulas", async () => {
    await api.call("POST", api.users(acme), {
      json: {
        emailAddress: "evil@acme.test",
        firstName: "=cmd()",
        lastName: "@SUM(A1), Jr.",
        locale: "en-US",
      },
    });
    const res = await exportCsv();
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe('attachment; filename="users-Acme.csv"');
    expect(res.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = res.bytes.subarray(3).toString("utf8");
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.replaceAll("\r\n", "")).not.toMatch(/\n/);
    expect(text.split("\r\n")).toEqual([
      HEADER,
      // ordered by last name: "@SUM…" before "Ace"
      "evil@acme.test,'=cmd(),\"'@SUM(A1), Jr.\",en-US,user,,,,,default,,call-waiting",
      "a@acme.test,Al,Ace,de-DE,user,gtc-001,2131,,'+4923026672131,default,,call-waiting",
      // the Administrator the tenant was created with (no trunk)
      "admin@acme.example,Administrator,Acme,en-US,admin,,,,,default,,call-waiting",
      "b@acme.test,Bea,Bold,en-GB,user,gtc-002,300,,300,default,,call-waiting",
      "",
    ]);
  });

  it("round trip: export → import into the same trunk leaves every user unchanged", async () => {
    await api.importCsv(acme, fixture("excel-bom-crlf.csv"));
    await api.call("POST", api.users(acme), {
      json: {
        emailAddress: "formula@acme.test",
        firstName: "-Minus",
        lastName: "=Plus+",
        locale: "nl-NL",
        trunk: "gtc-001",
        callno: "2999",
        did: "42",
      },
    });
    // users of the other trunk would (rightly) be refused as user_on_other_trunk, and the
    // Administrator (no trunk) would be put on gtc-001: leave them out
    const exported = await exportCsv();
    const lines = exported.bytes.toString("utf8").split("\r\n");
    const onGtc001 = (l: string) => !l.includes(",gtc-002,") && !l.startsWith("admin@acme.example,");
    const gtc001 = Buffer.from(lines.filter(onGtc001).join("\r\n"), "utf8");
    const before = await api.all(acme);
    const res = await api.importCsv(acme, gtc001);
    expect(res.body).toEqual({ created: 0, updated: 0, unchanged: 6, dryRun: false });
    expect(await api.all(acme)).toEqual(before);
    expect(before.find((u) => u.emailAddress === "formula@acme.test")).toMatchObject({
      firstName: "-Minus",
      lastName: "=Plus+",
      phoneNumber: "+4923026672999",
    });
  });

  it("answers 404 for an unknown tenant", async () => {
    const res = await api.call("GET", `${api.users("tn_none")}/export`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("tenant_not_found");
  });
});
