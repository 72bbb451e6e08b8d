import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { EmulatorApiError, EmulatorClient } from "../../src/rest-client/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";

let emulator: EmulatorHandle;

beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: "client-test-token" });
});

afterAll(async () => {
  await emulator.close();
});

describe("EmulatorClient (unify-phone-emulator/client)", () => {
  it("drives the admin side, the JWT portal and the PBX side", async () => {
    const client = emulator.client;
    expect((await client.health.ready()).status).toBe("ready");
    const tenant = await client.tenants.create({ name: "Client Co", flavour: "video" });
    const pbx = client.asPbx(tenant.apiKey);

    const refused = await pbx.connector.provision({ systemId: "sys-1" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EmulatorApiError);
    expect((refused as EmulatorApiError).code).toBe("jwt_not_set");
    expect((refused as EmulatorApiError).status).toBe(403);

    const minted = await client.portal.createToken({ clientId: tenant.clientId, label: "suite" });
    expect((await client.jwt.set(tenant.id, minted.token)).status).toBe("active");

    const system = await pbx.connector.provision({
      systemId: "sys-1",
      numbering: { schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" },
    });
    expect(system).toMatchObject({ trunkId: "gtc-001", sip: { port: emulator.ports.sip, transport: "tls" } });
    // user provisioning needs an available connector (HowTo §2.4): the PBX registers first
    const ua = await PbxTestUa.connect(emulator, system.sip.username, system.sip.password);
    expect((await ua.register()).status).toBe(200);
    const user = await pbx.connector.createUser({
      systemId: "sys-1",
      emailAddress: "ann@client.test",
      firstName: "Ann",
      lastName: "Example",
      locale: "en-US",
      callno: "2131",
    });
    expect(user.phoneNumber).toBe("+4923026672131");
    const listed = await client.users.list(tenant.id, { search: "ann" });
    expect(listed.total).toBe(1);
    expect((await client.tenants.connectors(tenant.id))[0]).toMatchObject({
      name: "gtc-001",
      status: "available",
    });
    ua.client.close();

    const clock = await client.clock.advance("1h");
    expect(clock.frozen).toBe(false);
  });

  it("throws EmulatorApiError with the problem body for a wrong admin token", async () => {
    const stranger = new EmulatorClient({
      baseUrl: emulator.urls.https,
      ca: emulator.certificates.caCertPem!,
      adminToken: "nope",
    });
    const error = await stranger.tenants.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorApiError);
    expect((error as EmulatorApiError).problem).toMatchObject({ status: 401, code: "admin_token_invalid" });
    await stranger.close();
  });
});
