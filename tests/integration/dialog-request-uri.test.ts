import { afterEach, describe, expect, it } from "vitest";
import { optionsFromSources, resolveConfig } from "../../src/config/index.js";
import type { EmulatorHandle } from "../../src/index.js";
import { emulatorWithPbx, setAlBehaviour } from "../support/dialog-support.js";
import { TRUNK } from "../support/emulator.js";
import { type PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";

/**
 * `--inbound-request-uri`: where a call toward the PBX is addressed. `number` (default)
 * puts the dialled number into the registered Contact; `contact` uses the Contact as it
 * was registered and leaves the number to To.
 */
let emulator: EmulatorHandle | undefined;
let pbx: PbxTestUa | undefined;

afterEach(async () => {
  pbx?.close();
  await emulator?.close();
  pbx = undefined;
  emulator = undefined;
});

async function inviteToPbx(mode?: "number" | "contact") {
  const setup = await emulatorWithPbx(45200, mode ? { inboundRequestUri: mode } : {});
  emulator = setup.emulator;
  pbx = setup.pbx;
  const { http } = setup;
  const userId = await setAlBehaviour(http.admin, { mode: "answer" });
  const started = await http.admin("POST", "/api/admin/calls", { fromUser: userId, to: "+4930123456" });
  expect(started.status).toBe(201);
  const invite = await pbx.incoming("INVITE");
  pbx.respond(invite, 200, "OK", { sdp: sdpOffer(40040), toTag: "callee" });
  await pbx.incoming("ACK", invite.callId);
  return invite;
}

describe("--inbound-request-uri", () => {
  it("number (default): the dialled number at the registered contact's host and port", async () => {
    const invite = await inviteToPbx();
    expect(invite.uri).toBe(`sip:+4930123456@127.0.0.1:${pbx!.port};transport=tls`);
    expect(invite.to.uri.user).toBe("+4930123456");
  });

  it("contact: the registered Contact URI itself, the number in To", async () => {
    const invite = await inviteToPbx("contact");
    expect(invite.uri).toBe(`sip:${TRUNK.username}@127.0.0.1:${pbx!.port};transport=tls`);
    expect(invite.to.uri.user).toBe("+4930123456");
  });

  it("is read from UPE_INBOUND_REQUEST_URI and the flag, and refuses other values", () => {
    const fromEnv = optionsFromSources({ UPE_INBOUND_REQUEST_URI: "contact" }, {});
    expect(resolveConfig(fromEnv).inboundRequestUri).toBe("contact");
    const fromFlag = optionsFromSources(
      { UPE_INBOUND_REQUEST_URI: "contact" },
      { inboundRequestUri: "number" },
    );
    expect(resolveConfig(fromFlag).inboundRequestUri).toBe("number");
    expect(() => optionsFromSources({ UPE_INBOUND_REQUEST_URI: "aor" }, {})).toThrow(/number, contact/);
  });
});
