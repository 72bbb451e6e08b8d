import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { UnifyPhoneClient } from "../../src/phone-client/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { until } from "../support/until.js";
import { WebRtcSipClient } from "../support/webrtc-sip-client.js";

/*
 * Who will ring: GET …/users/{userId}/registrations (and the user itself) lists the user's
 * registered Unify Phone clients with their kind, user agent, since, expiry and connection.
 */

const SEED = `
tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-1
        simultaneousCalls: 2
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }
`;
const PASSWORD = "client-pass-1";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let base: string;
let userId: string;
const closers: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  emulator = await startTestEmulator({
    adminToken: "reg-admin",
    seedText: SEED,
    rtpPorts: { min: 46400, max: 46499 },
  });
  http = httpClient(emulator);
  const tenantId = emulator.store.tenants.list()[0]!.id;
  userId = emulator.store.users.getByEmail(tenantId, "al@acme.test")!.id;
  base = `/api/admin/tenants/${tenantId}/users/${userId}`;
  expect((await http.admin("PUT", `${base}/client-password`, { password: PASSWORD })).status).toBe(204);
});

afterEach(async () => {
  await Promise.allSettled(closers.splice(0).map((close) => close()));
  await emulator.close();
});

const url = () => `${emulator.urls.https.replace(/^https:/, "wss:")}/ws`;

describe("a user's registered clients", () => {
  it("lists a Node client and a browser with kind, user agent, since, expiry and connection", async () => {
    expect((await http.admin("GET", `${base}/registrations`)).body).toEqual({ registrations: [] });
    const node = await UnifyPhoneClient.connect({
      url: url(),
      userId,
      password: PASSWORD,
      ca: emulator.certificates.caCertPem!,
      expires: 300,
    });
    closers.push(() => node.close());
    await node.register();
    const browser = await WebRtcSipClient.connect({
      url: url(),
      userId,
      password: PASSWORD,
      ca: emulator.certificates.caCertPem!,
    });
    closers.push(() => browser.close());

    const { registrations } = (await http.admin("GET", `${base}/registrations`)).body;
    expect(registrations).toHaveLength(2);
    expect(registrations[0]).toMatchObject({
      kind: "node",
      userAgent: expect.stringMatching(/^unify-phone-emulator client/),
      connection: { transport: "WSS", remoteAddress: "127.0.0.1", remotePort: expect.any(Number) },
    });
    expect(registrations[0].expires).toBeGreaterThan(0);
    expect(registrations[0].expires).toBeLessThanOrEqual(300);
    expect(Date.parse(registrations[0].since)).not.toBeNaN();
    expect(registrations[1]).toMatchObject({
      kind: "browser",
      userAgent: expect.stringMatching(/^UnifyPhoneEmulator-Browser/),
    });
    // The user's own view carries the same list.
    const user = (await http.admin("GET", base)).body;
    expect(user.registrations.map((r: { kind: string }) => r.kind)).toEqual(["node", "browser"]);

    await node.close();
    await until(
      async () => (await http.admin("GET", `${base}/registrations`)).body.registrations.length === 1,
    );
  });

  it("404 for a user of another tenant or none", async () => {
    const res = await http.admin("GET", `${base.replace(userId, "us_nobody0000")}/registrations`);
    expect(res.status).toBe(404);
  });
});
