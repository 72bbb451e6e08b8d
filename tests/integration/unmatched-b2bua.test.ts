import dgram from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { type ClientCall, UnifyPhoneClient } from "../../src/phone-client/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";

/*
 * A request the B2BUA takes but declines as not modelled — REFER in a call with a Unify Phone
 * client — goes to the unmatched journal like one no handler takes.
 */

const SEED = acmeSeed();
const NUMBER = "+4923026672131";
const PASSWORD = "client-pass-um1";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let pbx: PbxTestUa;
let rtp: dgram.Socket;
let phone: UnifyPhoneClient;

beforeAll(async () => {
  emulator = await startTestEmulator({ seedText: SEED, rtpPorts: { min: 53800, max: 53899 } });
  http = httpClient(emulator);
  const tenantId = emulator.store.tenants.list()[0]!.id;
  const userId = emulator.store.users.getByEmail(tenantId, "al@acme.test")!.id;
  const user = `/api/admin/tenants/${tenantId}/users/${userId}`;
  expect((await http.admin("PUT", `${user}/client-password`, { password: PASSWORD })).status).toBe(204);
  expect((await http.admin("PATCH", user, { callBehaviour: { routing: "clients-only" } })).status).toBe(200);
  pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  rtp = dgram.createSocket("udp4");
  await new Promise<void>((r) => rtp.bind(0, "127.0.0.1", () => r()));
  phone = await UnifyPhoneClient.connect({
    url: `${emulator.urls.https.replace(/^https:/, "wss:")}/ws`,
    userId,
    password: PASSWORD,
    ca: emulator.certificates.caCertPem!,
  });
  await phone.register();
});

afterAll(async () => {
  await phone?.close();
  rtp?.close();
  pbx?.close();
  await emulator?.close();
});

describe("requests the B2BUA declines as not modelled", () => {
  it("REFER from the PBX in a call answered by a client: 501 with the reason, captured with its cause", async () => {
    const ringing = new Promise<ClientCall>((resolve) => {
      const off = phone.onIncoming((call) => {
        off();
        resolve(call);
      });
    });
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const call = await ringing;
    await call.answer();
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);
    await call.established();

    pbx.inDialog("REFER", ok, { headers: ["Refer-To: <sip:+4930999@phoneapp.unify.com>"] });
    const refused = await pbx.response(invite.callId, 200, "REFER");
    expect(refused.status).toBe(501);
    expect(refused.reason).toBe("Not Implemented: transfer of calls answered by a client is not emulated");
    const id = /captured as unmatched (um_\d+)/.exec(refused.headers.get("warning") ?? "")?.[1];
    expect(id).toBeDefined();
    const entry = (await http.admin("GET", `/api/admin/unmatched/${id}`)).body;
    expect(entry).toMatchObject({
      kind: "sip",
      method: "REFER",
      status: 501,
      cause: "Not Implemented: transfer of calls answered by a client is not emulated",
      trunkUsername: TRUNK.username,
      answeredBy: "default",
    });
    expect(Object.fromEntries(entry.headers)["Refer-To"]).toBe("<sip:+4930999@phoneapp.unify.com>");
  });
});
