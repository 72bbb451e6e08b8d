import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import { ACME_API_KEY, acmeSeed } from "../support/acme-seed.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { until } from "../support/until.js";

/*
 * The `layer: csta` fault rules against the mock OSBiz's desk phones: a refused CSTA session,
 * a CSTAErrorCode instead of the PBX's answer, a request that gets no answer, a dropped event.
 * Everything is checked from outside: the desk-phone REST, the mock's desk phone, the trace.
 */

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let mock: MockOsbiz;
let deskPhone: string;

beforeAll(async () => {
  // on-demand (the default): the session opens at the first desk-phone request.
  emulator = await startTestEmulator({ adminToken: "csta-faults", seedText: acmeSeed() });
  http = httpClient(emulator);
  const tenantId = emulator.store.tenants.list()[0]!.id;
  const userId = emulator.store.users.getByEmail(tenantId, "al@acme.test")!.id;
  deskPhone = `/api/admin/tenants/${tenantId}/users/${userId}/desk-phone`;
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: ACME_API_KEY,
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    users: [{ callno: "2131", firstName: "Al", lastName: "Ace", emailAddress: "al@acme.test" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 54200, max: 54299 } },
    log: () => {},
  });
});

afterAll(async () => {
  await mock?.stop();
  await emulator?.close();
});

const addFault = async (rule: Record<string, unknown>) => {
  const res = await http.admin("POST", "/api/admin/faults", rule);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
};
const removeFault = async (id: string) =>
  expect((await http.admin("DELETE", `/api/admin/faults/${id}`)).status).toBe(204);
const hitsOf = async (id: string) => (await http.admin("GET", `/api/admin/faults/${id}`)).body.hits as number;
const state = async () => (await http.admin("GET", deskPhone)).body;
const faultEntries = async (id: string) =>
  (
    (await http.admin("GET", "/api/admin/trace?kind=fault")).body.entries as {
      faultId: string;
      detail: string;
    }[]
  ).filter((e) => e.faultId === id);

describe("CSTA fault rules", () => {
  it("a bad csta rule is refused 422 naming the field", async () => {
    const noValue = await http.admin("POST", "/api/admin/faults", {
      layer: "csta",
      action: { type: "error" },
    });
    expect(noValue.status).toBe(422);
    expect(noValue.body.errors).toContainEqual(expect.objectContaining({ field: "fault.action.value" }));
    const wrongService = await http.admin("POST", "/api/admin/faults", {
      layer: "csta",
      match: { service: "MakeCall" },
      action: { type: "drop-event" },
    });
    expect(wrongService.status).toBe(422);
    expect(wrongService.body.errors).toContainEqual(
      expect.objectContaining({ field: "fault.match.service" }),
    );
  });

  it("session-refuse: desk-phone actions get 409 cti_not_connected naming the refusal; the PBX sees no session", async () => {
    const rule = await addFault({ id: "cti-off", layer: "csta", action: { type: "session-refuse" } });
    const res = await http.admin("POST", `${deskPhone}/dnd`, { on: true });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("cti_not_connected");
    expect(res.body.detail).toContain("CSTA session refused: 403 Forbidden");
    expect(mock.cstaSessions).toHaveLength(0);
    expect(await hitsOf(rule.id)).toBe(1);
    expect((await faultEntries(rule.id))[0]!.detail).toContain("refuse the CSTA session (403)");
    await removeFault(rule.id);
    // Without the rule the next request opens the session.
    expect((await http.admin("POST", `${deskPhone}/dnd`, { on: false })).status).toBe(200);
    expect(mock.cstaSessions).toHaveLength(1);
  });

  it("error: the rule's CSTAErrorCode comes back as 502 cti_refused, and the desk phone is untouched", async () => {
    const rule = await addFault({
      layer: "csta",
      match: { service: "SetDoNotDisturb", user: "2131" },
      action: { type: "error", category: "stateIncompatibility", value: "invalidDeviceID" },
    });
    const res = await http.admin("POST", `${deskPhone}/dnd`, { on: true });
    expect(res.status).toBe(502);
    expect(res.body.code).toBe("cti_refused");
    expect(res.body.cstaError).toEqual({ category: "stateIncompatibility", value: "invalidDeviceID" });
    expect(mock.deskPhone("2131").dnd).toBe(false);
    // Another service of the same user still reaches the PBX.
    expect(
      (await http.admin("POST", `${deskPhone}/forwarding`, { type: "forwardBusy", active: false })).status,
    ).toBe(200);
    expect(await hitsOf(rule.id)).toBe(1);
    // Diagnose names the CTI link and the code while the rule is loaded.
    const tenantId = emulator.store.tenants.list()[0]!.id;
    const problems = (await http.admin("GET", `/api/admin/tenants/${tenantId}/diagnose`)).body
      .problems as string[];
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^gtc-001: The PBX answers CSTA requests \(SetDoNotDisturb\) on the CTI link with CSTAErrorCode stateIncompatibility invalidDeviceID .*calls are not affected/,
      ),
    );
    await removeFault(rule.id);
  });

  it("no-response: the request gets no answer, the REST caller sees 504 cti_timeout", async () => {
    const rule = await addFault({
      layer: "csta",
      match: { service: "MakeCall" },
      action: { type: "no-response" },
    });
    const res = await http.admin("POST", `${deskPhone}/make-call`, { to: "004989700" });
    expect(res.status).toBe(504);
    expect(res.body.code).toBe("cti_timeout");
    expect(mock.deskPhone("2131").state).toBe("idle");
    expect(await hitsOf(rule.id)).toBe(1);
    await removeFault(rule.id);
  });

  it("drop-event: a Delivered event from the PBX is ignored, so the desk phone does not show ringing", async () => {
    const rule = await addFault({
      layer: "csta",
      match: { service: "DeliveredEvent", user: "2131" },
      action: { type: "drop-event" },
    });
    mock.deskPhone("2131").ring("004989700");
    await until(async () => (await hitsOf(rule.id)) === 1, "the DeliveredEvent dropped");
    expect(mock.deskPhone("2131").state).toBe("ringing");
    expect((await state()).status).toBe("idle");
    // The trace still shows the event arriving, and the fault that dropped it.
    const csta = (await http.admin("GET", "/api/admin/trace?kind=csta")).body.entries as { type: string }[];
    expect(csta.map((e) => e.type)).toContain("DeliveredEvent");
    expect((await faultEntries(rule.id))[0]!.detail).toMatch(/^drop event: DeliveredEvent \(.*2131/);
    await removeFault(rule.id);
    mock.deskPhone("2131").hangup();
    await until(() => mock.deskPhone("2131").state === "idle", "the mock's desk phone idle again");
  });
});
