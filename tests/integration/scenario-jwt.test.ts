import { afterEach, describe, expect, it } from "vitest";
import { ClientRegistrationError, UnifyPhoneClient } from "../../src/phone-client/index.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";
import { catalog, type ScenarioEmulator, scenarioEmulator, VIDCO_KEY } from "../support/scenario-support.js";

/*
 * The JWT scenarios show the full symptom (issue 11 item 8): each hint of their `expect`
 * block is checked the way the PBX, a client and the admin API see it.
 */

const PORTS = { emulator: { min: 51200, max: 51399 }, mock: { min: 51400, max: 51599 } };
const TRUNK = { username: "3919209258", password: "s3cret-Trunk-2" };
const PASSWORD = "client-pass-1";

let s: ScenarioEmulator | undefined;
let pbx: PbxTestUa | undefined;
let client: UnifyPhoneClient | undefined;

afterEach(async () => {
  await client?.close();
  pbx?.close();
  await s?.close();
  client = pbx = s = undefined;
});

describe.each(["jwt-not-set", "jwt-invalid", "jwt-expired", "jwt-expiring"])("scenario %s", (name) => {
  it("shows what its expect block says: PBX, client and admin API", async () => {
    const hints = catalog.load(name).expect;
    s = await scenarioEmulator(PORTS);
    await s.apply(name);
    const tenantId = await s.tenantId("Vidco");
    const users = `/api/admin/tenants/${tenantId}/users`;
    const vera = (await s.http.admin("GET", `${users}?search=vera`)).body.items[0];

    expect((await s.http.admin("GET", `/api/admin/tenants/${tenantId}/jwt`)).body.status).toBe(hints.jwt);

    pbx = await PbxTestUa.connect(s.emulator, TRUNK.username, TRUNK.password);
    expect((await pbx.register()).status).toBe(hints.register?.status);
    expect((await s.connectors("Vidco")).map((c) => c.status)).toEqual([hints.connector]);

    if (hints.invite) {
      const invite = pbx.sendInvite(hints.invite.to!, null);
      const answer = await pbx.response(invite.callId);
      expect(answer.status).toBe(hints.invite.status);
      expect(answer.reason).toContain(hints.invite.reason);
      expect(answer.headers.get("warning")).toContain(hints.invite.reason);
      pbx.ack(answer, invite);
    }

    expect(
      (await s.http.admin("PUT", `${users}/${vera.id}/client-password`, { password: PASSWORD })).status,
    ).toBe(204);
    client = await UnifyPhoneClient.connect({
      url: `${s.emulator.urls.https.replace(/^https:/, "wss:")}/ws`,
      userId: vera.id,
      password: PASSWORD,
      ca: s.emulator.certificates.caCertPem!,
    });
    const registered = await client.register().then(
      () => ({ status: 200, reason: "OK" }),
      (e: unknown) => (e instanceof ClientRegistrationError ? e : Promise.reject(e)),
    );
    expect(registered.status).toBe(hints.clientRegister?.status);
    expect(registered.reason).toContain(hints.clientRegister?.reason ?? "");

    if (hints.call) {
      const placed = await s.http.admin("POST", "/api/admin/calls", { fromUser: vera.id, to: "+4930123456" });
      expect([placed.status, placed.body.code]).toEqual([hints.call.status, hints.call.code]);
    }

    const created = await s.http.admin("POST", users, {
      emailAddress: "n@vidco.test",
      firstName: "N",
      lastName: "U",
    });
    expect([created.status, created.body.code]).toEqual([hints.newUsers?.status, hints.newUsers?.code]);

    const provisioned = await s.http.pbx(VIDCO_KEY, "POST", "/api/connector/v1/systems", {
      systemId: "osbiz-mock",
    });
    expect([provisioned.status, provisioned.body.code]).toEqual([
      hints.provisioning?.status,
      hints.provisioning?.code,
    ]);
  });
});
