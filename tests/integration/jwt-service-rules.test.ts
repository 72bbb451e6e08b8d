import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { ClientCallError, ClientRegistrationError, UnifyPhoneClient } from "../../src/phone-client/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

/*
 * Issue 11 item 1: a Unify Video tenant's JWT state governs its service, on every surface a
 * PBX, a client or an admin sees — over real sockets, on the emulator clock. Each case
 * registers the PBX and a client while the tenant works, then (where the case says) moves
 * the JWT to its state: the change takes effect at that instant, with no restart.
 */

const API_KEY = "vidco-key-0001-hxlppFPkvSwdJ4jN2ikG";
const TRUNK = { username: "3919209258", password: "s3cret-Trunk-2" };
const START = "2030-06-30T11:59:00.000Z";
const PASSWORD = "client-pass-1";
const USER_NUMBER = "+4923026682140";

type Flavour = "video" | "openscape";
type State = "active" | "expiring" | "expired" | "invalid" | "not_set";

interface Case {
  readonly flavour: Flavour;
  /** what GET …/jwt says once the case has moved the JWT */
  readonly state: State;
  /** the seed's jwt: (what the tenant starts with) */
  readonly seedJwt: string;
  /** how the case reaches its state after the PBX and the client registered */
  readonly move?: (ctx: Ctx) => Promise<void>;
  /** the cause every refusal names; undefined: the tenant works */
  readonly cause?: string;
  readonly code?: string;
}

interface Ctx {
  http: ReturnType<typeof httpClient>;
  tenantId: string;
}

const CASES: Case[] = [
  { flavour: "video", state: "active", seedJwt: `{ status: active, expiresAt: "2031-06-30T12:00:00Z" }` },
  // One minute before expiry: expiring, and it keeps working.
  { flavour: "video", state: "expiring", seedJwt: `{ status: expiring, expiresAt: "2030-06-30T12:00:00Z" }` },
  {
    flavour: "video",
    state: "expired",
    seedJwt: `{ status: expiring, expiresAt: "2030-06-30T12:00:00Z" }`,
    // The clock reaches the expiry: expired at that instant.
    move: async ({ http }) => {
      expect((await http.admin("POST", "/api/admin/clock/advance", { by: "1m" })).status).toBe(200);
    },
    cause: "JWT expired",
    code: "jwt_expired",
  },
  {
    flavour: "video",
    state: "invalid",
    seedJwt: `{ status: active, expiresAt: "2031-06-30T12:00:00Z" }`,
    move: async ({ http }) => {
      const tokens = (await http.admin("GET", "/api/jwt-portal/tokens?clientId=vidco-client")).body;
      const revoked = await http.admin("POST", `/api/jwt-portal/tokens/${tokens[0].id}/revoke`);
      expect(revoked.status).toBe(200);
    },
    cause: "JWT invalid",
    code: "jwt_invalid",
  },
  {
    flavour: "video",
    state: "not_set",
    seedJwt: `{ status: active, expiresAt: "2031-06-30T12:00:00Z" }`,
    move: async ({ http, tenantId }) => {
      expect((await http.admin("DELETE", `/api/admin/tenants/${tenantId}/jwt`)).status).toBe(204);
    },
    cause: "JWT not set",
    code: "jwt_not_set",
  },
  // Openscape tenants have no JWT: whatever its status says, they work.
  { flavour: "openscape", state: "not_set", seedJwt: "{ status: not_set }" },
  {
    flavour: "openscape",
    state: "expired",
    seedJwt: `{ status: expiring, expiresAt: "2030-06-30T12:00:00Z" }`,
    move: async ({ http }) => {
      expect((await http.admin("POST", "/api/admin/clock/advance", { by: "1m" })).status).toBe(200);
    },
  },
];

function seed(c: Case): string {
  return `
clock: { now: "${START}", frozen: true }
tenants:
  - name: Vidco
    flavour: ${c.flavour}
    apiKey: ${API_KEY}
    clientId: vidco-client
    systems:
      - systemId: osbiz-mock
        simultaneousCalls: 8
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "668" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: vera@vidco.test, firstName: Vera, lastName: Vid, locale: en-US, callno: "2140", system: osbiz-mock }
    jwt: ${c.seedJwt}
`;
}

let emulator: EmulatorHandle | undefined;
let pbx: PbxTestUa | undefined;
let client: UnifyPhoneClient | undefined;
let webhook: WebhookReceiver | undefined;

afterEach(async () => {
  await client?.close();
  pbx?.close();
  await emulator?.close();
  await webhook?.close();
  client = pbx = emulator = webhook = undefined;
});

describe.each(CASES)("JWT $state, $flavour tenant", (c) => {
  it(c.cause ? `refuses service everywhere: ${c.cause}` : "keeps the service working", async () => {
    emulator = await startTestEmulator({ adminToken: "jwt-rules-admin", seedText: seed(c) });
    const http = httpClient(emulator);
    const tenantId = emulator.store.tenants.list()[0]!.id;
    const userId = emulator.store.users.getByEmail(tenantId, "vera@vidco.test")!.id;
    const users = `/api/admin/tenants/${tenantId}/users`;
    webhook = await WebhookReceiver.start();
    expect((await http.admin("PUT", "/api/admin/webhook", { url: webhook.url })).status).toBe(200);
    // The user's own behaviour answers busy: reaching the user shows as 486.
    const patched = await http.admin("PATCH", `${users}/${userId}`, {
      callBehaviour: { mode: "busy", routing: "virtual-only" },
    });
    expect(patched.status).toBe(200);
    expect(
      (await http.admin("PUT", `${users}/${userId}/client-password`, { password: PASSWORD })).status,
    ).toBe(204);
    pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    expect((await pbx.register()).status).toBe(200);
    client = await UnifyPhoneClient.connect({
      url: `${emulator.urls.https.replace(/^https:/, "wss:")}/ws`,
      userId,
      password: PASSWORD,
      ca: emulator.certificates.caCertPem!,
    });
    await client.register();

    await c.move?.({ http, tenantId });
    const jwt = (await http.admin("GET", `/api/admin/tenants/${tenantId}/jwt`)).body;
    expect(jwt.status).toBe(c.state);
    expect(jwt.functional).toBe(c.cause === undefined);
    expect(jwt.warnings).toEqual(
      c.state === "expiring" && c.flavour === "video" ? [expect.stringContaining("expires at")] : [],
    );
    // The tenant as the admin app lists it carries the same summary.
    const tenant = (await http.admin("GET", `/api/admin/tenants/${tenantId}`)).body;
    expect(tenant.jwt).toEqual({
      status: c.state,
      functional: c.cause === undefined,
      warnings: jwt.warnings,
    });
    const text = c.cause && `Unify Phone not functional: ${c.cause}`;
    if (text) expect(jwt.cause).toMatch(new RegExp(`^${text} — `));

    // The PBX side stays healthy: the trunk registers, the connector is Available.
    expect((await pbx.register()).status).toBe(200);
    const connectors = (await http.admin("GET", `/api/admin/tenants/${tenantId}/connectors`)).body;
    expect(connectors[0].status).toBe("available");

    // PBX → user.
    const invite = pbx.sendInvite(USER_NUMBER, null);
    const answer = await pbx.response(invite.callId);
    if (text) {
      expect(answer.status).toBe(480);
      expect(answer.reason).toBe(`Temporarily Unavailable: ${text}`);
      expect(answer.headers.get("warning")).toBe(`399 phoneapp.unify.com "${text}"`);
    } else {
      expect(answer.status).toBe(486);
    }
    pbx.ack(answer, invite);

    // Client → PBX over the WebSocket: the same SIP answer; or the INVITE reaches the PBX.
    if (text) {
      const refused = await client.call("+4930123456").catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ClientCallError);
      expect(refused).toMatchObject({ status: 480, reason: `Temporarily Unavailable: ${text}` });
    } else {
      await client.call("+4930123456", { waitForAnswer: false });
      expect((await pbx.incoming("INVITE")).from.uri.user).toBe(USER_NUMBER);
    }

    // User → PBX through the admin API.
    const placed = await http.admin("POST", "/api/admin/calls", { fromUser: userId, to: "+4930999999" });
    if (c.code) {
      expect(placed.status).toBe(409);
      expect(placed.body).toMatchObject({ code: c.code, status: 409 });
      expect(placed.body.callId).toEqual(expect.any(String));
    } else {
      expect(placed.status).toBe(201);
    }

    // New users: admin create, import, and the PBX wizard's create; listing and export still work.
    const trunkName = (await http.admin("GET", users)).body.items[0].trunk;
    const created = await http.admin("POST", users, {
      emailAddress: "new@vidco.test",
      firstName: "New",
      lastName: "User",
    });
    const imported = await http.admin("POST", `${users}/import?trunk=${trunkName}`, {
      users: [{ emailAddress: "imp@vidco.test", firstName: "Imp", lastName: "Orted", locale: "en-US" }],
    });
    const dryRun = await http.admin("POST", `${users}/import?trunk=${trunkName}&dryRun=true`, {
      users: [{ emailAddress: "dry@vidco.test", firstName: "Dry", lastName: "Run", locale: "en-US" }],
    });
    const wizard = await http.pbx(API_KEY, "POST", "/api/connector/v1/users", {
      systemId: "osbiz-mock",
      emailAddress: "wiz@vidco.test",
      firstName: "Wiz",
      lastName: "Ard",
      callno: "2141",
    });
    expect(dryRun.status).toBe(200);
    if (c.code) {
      for (const refused of [created, imported, wizard]) {
        expect(refused.status).toBe(409);
        expect(refused.body.code).toBe(c.code);
      }
    } else {
      expect([created.status, imported.status, wizard.status]).toEqual([201, 200, 201]);
    }
    expect((await http.admin("GET", users)).status).toBe(200);
    expect((await http.admin("GET", `${users}/export`)).status).toBe(200);

    // The rest of the PBX-side REST API: 403 with the same code ("No connection to REST API").
    const system = await http.pbx(API_KEY, "GET", "/api/connector/v1/systems/osbiz-mock");
    if (c.code) expect(system).toMatchObject({ status: 403, body: { code: c.code } });
    else expect(system.status).toBe(200);

    // Client REGISTER (a refresh of the registered client): 403 with the reason.
    if (text) {
      const refused = await client.register().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ClientRegistrationError);
      expect(refused).toMatchObject({ status: 403, reason: `Forbidden: ${text}` });
    } else {
      await client.register();
    }

    // The journal, the webhook and the trace name the cause of each refused call.
    const journal: { direction: string; hangupCause: string | null; finalStatus: number | null }[] = (
      await http.admin("GET", "/api/admin/calls")
    ).body;
    if (text) {
      expect(journal.map((call) => [call.direction, call.finalStatus, call.hangupCause])).toEqual(
        expect.arrayContaining([
          ["pbx-to-user", 480, text],
          ["user-to-pbx", 480, text],
        ]),
      );
      await until(() =>
        webhook!.delivered.some((r) => r.json?.type === "call.ended" && r.body.includes(text)),
      );
      const trace = (await http.admin("GET", "/api/admin/trace")).text;
      expect(trace).toContain(text);
    } else {
      expect(JSON.stringify(journal)).not.toContain("not functional");
    }
  });
});

describe("a JWT that expires during a call", () => {
  it("leaves the live call up and refuses the next one at that instant", async () => {
    const c = CASES.find((k) => k.state === "expired" && k.flavour === "video")!;
    emulator = await startTestEmulator({
      adminToken: "jwt-rules-admin",
      seedText: seed(c),
      rtpPorts: { min: 51600, max: 51699 },
    });
    const http = httpClient(emulator);
    const tenantId = emulator.store.tenants.list()[0]!.id;
    const userId = emulator.store.users.getByEmail(tenantId, "vera@vidco.test")!.id;
    const patched = await http.admin("PATCH", `/api/admin/tenants/${tenantId}/users/${userId}`, {
      callBehaviour: { mode: "answer", ringMs: 0, routing: "virtual-only" },
    });
    expect(patched.status).toBe(200);
    pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    expect((await pbx.register()).status).toBe(200);
    const live = pbx.sendInvite(USER_NUMBER, sdpOffer(40000));
    const ok = await pbx.response(live.callId);
    expect(ok.status).toBe(200);
    pbx.ack(ok, live);

    // The clock reaches the expiry while the call is up.
    expect((await http.admin("POST", "/api/admin/clock/advance", { by: "1m" })).status).toBe(200);
    expect((await http.admin("GET", `/api/admin/tenants/${tenantId}/jwt`)).body.status).toBe("expired");
    const next = pbx.sendInvite(USER_NUMBER, sdpOffer(40002));
    expect((await pbx.response(next.callId)).status).toBe(480);

    const calls: { state: string; legs: { callId: string }[] }[] = (
      await http.admin("GET", "/api/admin/calls")
    ).body;
    const call = calls.find((entry) => entry.legs.some((leg) => leg.callId === live.callId));
    expect(call?.state).toBe("answered");
    // The PBX ends it normally: BYE → 200.
    const bye = pbx.inDialog("BYE", ok);
    expect((await pbx.response(bye, 200, "BYE")).status).toBe(200);
  });
});
