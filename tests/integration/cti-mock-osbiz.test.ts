import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { until } from "../support/until.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

/*
 * The connector's CTI against the mock OSBiz's CSTA server and virtual desk phones, over the
 * trunk's TLS connection: session, monitor, snapshot, MakeCall, DND, events into the REST
 * state, and the PBX's CSTAErrorCode as a 502.
 */

const SEED = acmeSeed();

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let mock: MockOsbiz;
let deskPhone: string;
let webhook: WebhookReceiver;

beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: "cti-admin", seedText: SEED, ctiSession: "auto" });
  http = httpClient(emulator);
  const tenantId = emulator.store.tenants.list()[0]!.id;
  const userId = emulator.store.users.getByEmail(tenantId, "al@acme.test")!.id;
  deskPhone = `/api/admin/tenants/${tenantId}/users/${userId}/desk-phone`;
  webhook = await WebhookReceiver.start();
  expect((await http.admin("PUT", "/api/admin/webhook", { url: webhook.url })).status).toBe(200);
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    users: [{ callno: "2131", firstName: "Al", lastName: "Ace", emailAddress: "al@acme.test" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 45000, max: 45999 } },
    log: () => {},
  });
});

afterAll(async () => {
  await mock.stop();
  await emulator.close();
  await webhook.close();
});

const state = async () => {
  const res = await http.admin("GET", deskPhone);
  expect(res.status).toBe(200);
  return res.body;
};

describe("desk-phone CTI against the mock OSBiz", () => {
  it("opens the session on registration, monitors 2131 and reads its state", async () => {
    await until(async () => (await state()).monitored === true, "the desk phone monitored");
    expect(await state()).toMatchObject({ device: "2131", cti: "connected", status: "idle", dnd: false });
    expect(mock.cstaSessions).toHaveLength(1);
    expect([...mock.cstaSessions[0]!.monitors.values()]).toEqual(["2131"]);
  });

  it("MakeCall to a number outside: the mock's desk phone calls, Established reaches the REST state; clear ends it", async () => {
    const res = await http.admin("POST", `${deskPhone}/make-call`, { to: "004989700" });
    expect(res.status).toBe(200);
    expect(res.body.result.callId).toEqual(expect.any(String));
    await until(async () => (await state()).status === "connected", "connected after Established");
    expect(mock.deskPhone("2131").state).toBe("connected");
    expect((await http.admin("POST", `${deskPhone}/clear`, {})).status).toBe(200);
    await until(async () => (await state()).status === "idle", "idle after ConnectionCleared");
    expect(mock.deskPhone("2131").state).toBe("idle");
  });

  it("a call ringing on the desk phone shows ringing; answer from the REST connects it", async () => {
    mock.deskPhone("2131").ring("004989700");
    await until(async () => (await state()).status === "ringing", "ringing after Delivered");
    expect((await http.admin("POST", `${deskPhone}/answer`, {})).status).toBe(200);
    await until(async () => (await state()).status === "connected", "connected after Established");
    expect(mock.deskPhone("2131").state).toBe("connected");
    expect((await http.admin("POST", `${deskPhone}/clear`, {})).status).toBe(200);
    await until(async () => (await state()).status === "idle", "idle again");
    await until(
      () =>
        webhook.delivered.some(
          (r) => r.json.type === "desk-phone.state" && r.json.deskPhone.state.status === "ringing",
        ),
      "a desk-phone.state webhook with the phone ringing",
    );
    const established = () =>
      webhook.delivered.find(
        (r) => r.json.type === "desk-phone.event" && r.json.deskPhone.event === "EstablishedEvent",
      );
    await until(() => established() !== undefined, "a desk-phone.event webhook for EstablishedEvent");
    expect(established()!.json.deskPhone).toMatchObject({
      userId: expect.any(String),
      callId: expect.any(String),
    });
  });

  it("DND set from the REST reaches the desk phone; set on the phone it reaches the REST", async () => {
    const res = await http.admin("POST", `${deskPhone}/dnd`, { on: true });
    expect(res.status).toBe(200);
    expect(res.body.dnd).toBe(true);
    expect(mock.deskPhone("2131").dnd).toBe(true);
    mock.deskPhone("2131").setDnd(false);
    await until(async () => (await state()).dnd === false, "DoNotDisturbEvent off");
  });

  it("a request the PBX refuses comes back 502 cti_refused with its CSTAErrorCode", async () => {
    const res = await http.admin("POST", `${deskPhone}/transfer`, { heldCallId: "1", activeCallId: "2" });
    expect(res.status).toBe(502);
    expect(res.body.code).toBe("cti_refused");
    expect(res.body.cstaError).toMatchObject({ category: expect.any(String), value: expect.any(String) });
  });
});
