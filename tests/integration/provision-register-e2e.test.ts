import { afterAll, beforeAll, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { authorizationFor, parseChallenge, registerText, SipTestClient } from "../support/sip-test-client.js";

let emulator: EmulatorHandle;

beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: "e2e-admin", seedText: "tenants: []\n" });
});

afterAll(async () => {
  await emulator.close();
});

it("provision over REST, register over TLS with the returned credentials, expire on the clock", async () => {
  const admin = emulator.client;
  const tenant = await admin.tenants.create({ name: "E2E" });
  const pbx = admin.asPbx(tenant.apiKey);
  const system = await pbx.connector.provision({ systemId: "osbiz-e2e", simultaneousCalls: 8 });
  expect(system.sip).toMatchObject({ port: emulator.ports.sip, transport: "tls", registerInterval: 600 });
  expect((await admin.tenants.connectors(tenant.id))[0]!.status).toBe("unavailable");

  const { username, password, domain } = system.sip;
  const sip = await SipTestClient.connectTls(system.sip.port, { ca: emulator.certificates.caCertPem! });
  const first = await sip.request(
    registerText({ user: username, localPort: sip.localPort, callId: "e2e", domain }),
  );
  const challenge = parseChallenge(first.headers.get("www-authenticate")!);
  const authorization = authorizationFor({ challenge, user: username, password, uri: `sip:${domain}` });
  const ok = await sip.request(
    registerText({ user: username, localPort: sip.localPort, callId: "e2e", cseq: 2, authorization, domain }),
  );
  expect(ok.status).toBe(200);

  const available = (await admin.tenants.connectors(tenant.id))[0]!;
  expect(available).toMatchObject({ name: "gtc-001", status: "available", systemId: "osbiz-e2e" });

  await admin.clock.advance("601s");
  const expired = (await admin.tenants.connectors(tenant.id))[0]!;
  expect(expired.status).toBe("unavailable");
  sip.close();
});
