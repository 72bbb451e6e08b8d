import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import { ACME_API_KEY, acmeSeed } from "../support/acme-seed.js";
import { ADMIN_TOKEN, usersClient } from "../support/api-client-users.js";
import { startTestEmulator } from "../support/emulator.js";
import { EventStreamClient } from "../support/event-stream-client.js";
import { until } from "../support/until.js";

/*
 * DND set in the app while no CSTA session is up (on-demand sessions) stays the user's, and
 * reaches the desk phone once its session opens and the phone is monitored — the app's word is
 * newer than the desk phone's GetDoNotDisturb answer.
 */

let emulator: EmulatorHandle;
let api: ReturnType<typeof usersClient>;
let mock: MockOsbiz;
let user: string;

beforeAll(async () => {
  emulator = await startTestEmulator({
    adminToken: ADMIN_TOKEN,
    seedText: acmeSeed(),
    ctiSession: "on-demand",
  });
  api = usersClient(emulator);
  const tenant = await api.tenantId("Acme");
  const al = (await api.all(tenant)).find((u) => u.callno === "2131");
  user = `/api/admin/tenants/${tenant}/users/${al.id}`;
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: ACME_API_KEY,
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    users: [{ callno: "2131" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 46000, max: 46999 } },
    log: () => {},
  });
});

afterAll(async () => {
  await mock.stop();
  await api.close();
  await emulator.close();
});

describe("presence before the CTI session", () => {
  it("app DND without a session is kept, then set on the desk phone when it is monitored", async () => {
    const stream = await EventStreamClient.open(emulator);
    const set = await api.call("PUT", `${user}/presence`, { json: { dnd: true } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ dnd: true, dndSource: "app" });
    expect(mock.deskPhone("2131").dnd).toBe(false);
    expect(mock.cstaSessions).toHaveLength(0);
    await until(
      () => stream.events.some((e) => e.type === "presence.changed" && e.data.presence.dndSource === "app"),
      "presence.changed on the live event stream",
    );
    await stream.close();

    // The first desk-phone request opens the session and monitors the phone (then stops again).
    expect((await api.call("POST", `${user}/desk-phone/monitor-stop`, { json: {} })).status).toBe(200);
    await until(() => mock.deskPhone("2131").dnd, "SetDoNotDisturb sent once the phone was monitored");
    expect((await api.call("GET", `${user}/presence`)).body).toMatchObject({ dnd: true, dndSource: "app" });
  });

  it("a desk phone in a call makes the user busy; once the CTI link is gone its stale state does not", async () => {
    expect(
      (await api.call("POST", `${user}/desk-phone/make-call`, { json: { to: "004989700" } })).status,
    ).toBe(200);
    await until(
      async () => (await api.call("GET", `${user}/presence`)).body.busySource.includes("desk-phone"),
      "busy from the desk phone",
    );
    await mock.stop();
    await until(
      async () => (await api.call("GET", `${user}/desk-phone`)).body.cti === "disconnected",
      "the CSTA session closed with the trunk's registration",
    );
    expect((await api.call("GET", `${user}/desk-phone`)).body.status).toBe("connected");
    expect((await api.call("GET", `${user}/presence`)).body).toMatchObject({ busy: false, busySource: [] });
  });
});
