import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import type { MockCall } from "../../src/mock-osbiz/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import { type ClientCall, UnifyPhoneClient } from "../../src/phone-client/index.js";
import { ACME_API_KEY, acmeSeed } from "../support/acme-seed.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { until } from "../support/until.js";

/*
 * A Unify Phone client's blind transfer end to end with the mock OSBiz as the PBX: the
 * connector's REFER on the trunk call, or — with the mock's REFER off — the local bridge.
 */

const CALLER = "004930123456";
const AL = "+4923026672131";
const OUTSIDE = "004989700";
const PASSWORD = "client-pass-mock-refer";

let emulator: EmulatorHandle;
let mock: MockOsbiz;
let phone: UnifyPhoneClient;
let http: ReturnType<typeof httpClient>;
const lines: string[] = [];

beforeEach(async () => {
  emulator = await startTestEmulator({ seedText: acmeSeed(), rtpPorts: { min: 48000, max: 48999 } });
  http = httpClient(emulator);
  const tenantId = emulator.store.tenants.list()[0]!.id;
  const userId = emulator.store.users.getByEmail(tenantId, "al@acme.test")!.id;
  const user = `/api/admin/tenants/${tenantId}/users/${userId}`;
  expect((await http.admin("PUT", `${user}/client-password`, { password: PASSWORD })).status).toBe(204);
  expect((await http.admin("PATCH", user, { callBehaviour: { routing: "clients-only" } })).status).toBe(200);
  lines.length = 0;
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: ACME_API_KEY,
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    users: [{ callno: "2131" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 48500, max: 48999 } },
    log: (line) => lines.push(line),
  });
  await until(
    () => mock.registered,
    () => `the mock registered\n${lines.join("\n")}`,
  );
  phone = await UnifyPhoneClient.connect({
    url: `${emulator.urls.https.replace(/^https:/, "wss:")}/ws`,
    userId,
    password: PASSWORD,
    ca: emulator.certificates.caCertPem!,
  });
  await phone.register();
});

afterEach(async () => {
  await phone?.close();
  await mock?.stop();
  await emulator?.close();
});

/** The mock's caller calls Al, the client answers: both ends of the call. */
async function answered(): Promise<{ mockCall: MockCall; call: ClientCall }> {
  const ringing = new Promise<ClientCall>((resolve) => {
    const off = phone.onIncoming((call) => {
      off();
      resolve(call);
    });
  });
  const placed = mock.call(AL, { fromCallno: CALLER });
  const call = await ringing;
  await call.answer();
  const mockCall = await placed;
  await until(() => call.mediaDirection === "sendrecv", "the client's media negotiated");
  return { mockCall, call };
}

async function journal(): Promise<{ id: string; state: string; to: string; events: { type: string }[] }[]> {
  return (await http.admin("GET", "/api/admin/calls")).body;
}

describe("blind transfer from a client, the mock OSBiz as PBX", () => {
  it("the mock takes the connector's REFER: NOTIFY progress reaches the client, its call ends", async () => {
    const { mockCall, call } = await answered();
    await call.transfer(OUTSIDE);
    expect(await call.transferOutcome()).toBe("SIP/2.0 200 OK");
    expect(call.transferProgress[0]).toBe("SIP/2.0 100 Trying");
    await call.ended();
    await until(
      () => !mockCall.active,
      () => `the mock's trunk leg ended\n${lines.join("\n")}`,
    );
    const entry = (await journal()).find((c) => c.events.some((e) => e.type === "refer-accepted"));
    expect(entry?.state).toBe("ended");
  });

  it("REFER off at the mock (501): the connector calls the target and bridges; the caller stays connected", async () => {
    mock.referEnabled = false;
    const { mockCall, call } = await answered();
    await call.transfer(OUTSIDE);
    expect(await call.transferOutcome()).toBe("SIP/2.0 200 OK");
    await call.ended();
    expect(mockCall.active).toBe(true);
    let bridge: Awaited<ReturnType<typeof journal>>[number] | undefined;
    await until(async () => {
      // The target in the PBX's numbering: 00 written as +.
      bridge = (await journal()).find((c) => c.to === "+4989700" && c.state === "answered");
      return bridge !== undefined;
    }, "the connector's answered call to the target");
    expect(bridge!.events.map((e) => e.type)).toContain("transfer");
    // The caller hangs up: the bridged call to the target ends too.
    await mockCall.hangup();
    await until(async () => (await journal()).every((c) => c.state === "ended"), "every call ended");
  });
});
