import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle, TrunkStatusEvent } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { authorizationFor, parseChallenge, registerText, SipTestClient } from "../support/sip-test-client.js";

let emulator: EmulatorHandle;
const clients: SipTestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await emulator.close();
});

/** One PBX: its own TLS connection and its own contact address. */
async function pbx(contactHost: string): Promise<(cseq: number) => Promise<number>> {
  const c = await SipTestClient.connectTls(emulator.ports.sip, { ca: emulator.certificates.caCertPem! });
  clients.push(c);
  const callId = `clone-${contactHost}`;
  const contact = `<sip:${TRUNK.username}@${contactHost}:5061;transport=tls>`;
  return async (cseq: number) => {
    const first = await c.request(
      registerText({ user: TRUNK.username, localPort: c.localPort, callId, cseq, contact }),
    );
    const challenge = parseChallenge(first.headers.get("www-authenticate")!);
    const authorization = authorizationFor({
      challenge,
      user: TRUNK.username,
      password: TRUNK.password,
      uri: "sip:phoneapp.unify.com",
    });
    return (
      await c.request(
        registerText({
          user: TRUNK.username,
          localPort: c.localPort,
          callId,
          cseq: cseq + 1,
          contact,
          authorization,
        }),
      )
    ).status;
  };
}

async function twoPbxs(policy: "allow" | "reject" | "last-wins" | "flap") {
  emulator = await startTestEmulator({ registrar: { duplicateRegistration: policy } });
  const events: TrunkStatusEvent[] = [];
  emulator.onTrunkStatus((e) => events.push(e));
  const original = await pbx("198.51.100.1");
  const clone = await pbx("203.0.113.9");
  return { original, clone, events, contacts: () => emulator.bindings().map((b) => b.contact) };
}

describe("a cloned PBX registers the same trunk from another connection", () => {
  it("allow: both bindings live side by side", async () => {
    const { original, clone, contacts } = await twoPbxs("allow");
    expect(await original(1)).toBe(200);
    expect(await clone(1)).toBe(200);
    expect(contacts()).toHaveLength(2);
  });

  it("reject: the clone gets 403 and the original keeps the trunk", async () => {
    const { original, clone, contacts } = await twoPbxs("reject");
    expect(await original(1)).toBe(200);
    expect(await clone(1)).toBe(403);
    expect(contacts()).toEqual([`sip:${TRUNK.username}@198.51.100.1:5061;transport=tls`]);
  });

  it("last-wins: the clone takes the trunk silently, the connector never drops", async () => {
    const { original, clone, contacts, events } = await twoPbxs("last-wins");
    expect(await original(1)).toBe(200);
    expect(await clone(1)).toBe(200);
    expect(contacts()).toEqual([`sip:${TRUNK.username}@203.0.113.9:5061;transport=tls`]);
    expect(events.map((e) => e.status)).toEqual(["available"]);
  });

  it("flap: each re-registration takes the trunk over and the connector visibly drops", async () => {
    const { original, clone, contacts, events } = await twoPbxs("flap");
    await original(1);
    await clone(1);
    await original(10);
    expect(contacts()).toEqual([`sip:${TRUNK.username}@198.51.100.1:5061;transport=tls`]);
    expect(events.map((e) => e.status)).toEqual([
      "available",
      "unavailable",
      "available",
      "unavailable",
      "available",
    ]);
    expect(events[1]!.reason).toMatch(/cloned system/);
  });
});
