import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import type { SipMessage } from "../../src/sip/message/index.js";
import {
  AL,
  barrier,
  count,
  DIALOG_SEED,
  inDialogRaw,
  journalOf,
  setAlBehaviour,
} from "../support/dialog-support.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";

/**
 * RFC 5626 §5.3 style flows: what the emulator sends inside a dialog with the PBX travels
 * over the trunk's current registered connection (the PBX behind NAT accepts nothing
 * else). A re-registration on a new connection moves live dialogs there; an in-dialog
 * request on some other connection is answered there but moves nothing.
 */
let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
const pbxs: PbxTestUa[] = [];

beforeEach(async () => {
  emulator = await startTestEmulator({
    adminToken: "dialog-admin",
    seedText: DIALOG_SEED,
    rtpPorts: { min: 44600, max: 44899 },
  });
  http = httpClient(emulator);
});

afterEach(async () => {
  for (const pbx of pbxs.splice(0)) pbx.close();
  await emulator.close();
});

async function registeredPbx(): Promise<PbxTestUa> {
  const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  pbxs.push(pbx);
  expect((await pbx.register()).status).toBe(200);
  return pbx;
}

const isBye = (callId: string) => (m: SipMessage) =>
  m.kind === "request" && m.method === "BYE" && m.callId === callId;

/** Close the PBX's connection and wait until the emulator has seen it close (its trace says so). */
async function closeAndWait(pbx: PbxTestUa): Promise<void> {
  const port = pbx.port;
  pbx.close();
  await until(async () => {
    const entries = (await http.admin("GET", "/api/admin/trace?kind=connection")).body.entries;
    return entries.some(
      (e: { event: string; peer: { port: number } }) => e.event === "closed" && e.peer.port === port,
    );
  }, "the emulator to see the connection close");
}

describe("in-dialog requests follow the trunk's registered flow", () => {
  it("after a re-registration on a new connection, the emulator's BYE goes there", async () => {
    const first = await registeredPbx();
    await setAlBehaviour(http.admin, { mode: "answer", ringMs: 0 });
    const invite = first.sendInvite(AL, sdpOffer(40020));
    const ok = await first.response(invite.callId, 200);
    first.ack(ok, invite);

    // The PBX reconnects and registers the trunk again; the old connection stays open.
    const second = await registeredPbx();
    // An in-dialog request on a connection nobody registered is answered there, and moves nothing.
    const stray = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    pbxs.push(stray);
    const info = inDialogRaw(stray.client, ok, "INFO", 1000, {
      body: "Signal=5\r\nDuration=160\r\n",
      contentType: "application/dtmf-relay",
    });
    expect((await stray.response(info, 200, "INFO")).status).toBe(200);

    const call = await journalOf(http.admin, invite.callId);
    await http.admin("DELETE", `/api/admin/calls/${call.id}`);
    const bye = await second.incoming("BYE", invite.callId);
    second.respond(bye, 200, "OK");
    await barrier(first.client);
    await barrier(stray.client);
    expect(count(first.client, isBye(invite.callId))).toBe(0);
    expect(count(stray.client, isBye(invite.callId))).toBe(0);
  });

  it("the old connection closing after the re-registration does not end the call", async () => {
    const first = await registeredPbx();
    await setAlBehaviour(http.admin, { mode: "answer", ringMs: 0 });
    const invite = first.sendInvite(AL, sdpOffer(40022));
    const ok = await first.response(invite.callId, 200);
    first.ack(ok, invite);
    const second = await registeredPbx();
    await closeAndWait(first);
    expect((await journalOf(http.admin, invite.callId)).state).toBe("answered");

    const call = await journalOf(http.admin, invite.callId);
    await http.admin("DELETE", `/api/admin/calls/${call.id}`);
    const bye = await second.incoming("BYE", invite.callId);
    second.respond(bye, 200, "OK");
  });

  it("a call toward the PBX moves too: its BYE takes the new connection", async () => {
    const first = await registeredPbx();
    const userId = await setAlBehaviour(http.admin, { mode: "answer" });
    const started = await http.admin("POST", "/api/admin/calls", { fromUser: userId, to: "+4930123456" });
    const invite = await first.incoming("INVITE");
    first.respond(invite, 200, "OK", { sdp: sdpOffer(40024), toTag: "callee" });
    await first.incoming("ACK", invite.callId);
    const second = await registeredPbx();
    await http.admin("DELETE", `/api/admin/calls/${started.body.id}`);
    const bye = await second.incoming("BYE", invite.callId);
    second.respond(bye, 200, "OK");
    await barrier(first.client);
    expect(count(first.client, isBye(invite.callId))).toBe(0);
  });

  it("without another registration, the connection closing still ends the call", async () => {
    const only = await registeredPbx();
    await setAlBehaviour(http.admin, { mode: "answer", ringMs: 0 });
    const invite = only.sendInvite(AL, sdpOffer(40026));
    const ok = await only.response(invite.callId, 200);
    only.ack(ok, invite);
    only.close();
    await until(
      async () => (await journalOf(http.admin, invite.callId)).state === "ended",
      "the call to end",
    );
    expect((await journalOf(http.admin, invite.callId)).hangupCause).toMatch(/^PBX connection lost/);
  });
});
