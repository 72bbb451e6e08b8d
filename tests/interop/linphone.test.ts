import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle, StartOptions } from "../../src/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import { requirePackage } from "../support/debian-package.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { until } from "../support/until.js";
import { adminApi } from "./support/journal.js";
import { hasLinphone, LinphoneDaemon, type MediaEncryption } from "./support/linphone.js";

const ready = requirePackage(hasLinphone, "linphone-cli", "the linphone-daemon interop tests");

const SEED = acmeSeed();

/** Bound of each awaited outcome: generous, other work may load the machine (idle, a step takes < 1 s). */
const STEP_MS = 30_000;

let emulator: EmulatorHandle | undefined;
let linphone: LinphoneDaemon | undefined;

afterEach(async () => {
  await linphone?.stop();
  await emulator?.close();
  linphone = undefined;
  emulator = undefined;
});

async function registered(options: StartOptions = {}, encryption: MediaEncryption = "none") {
  const e = await startTestEmulator({ seedText: SEED, adminToken: "linphone-admin", ...options });
  emulator = e;
  const l = await LinphoneDaemon.start({ caPath: e.certificates.caCertPath!, encryption });
  linphone = l;
  // mbedTLS 2 cannot match an IP address against the certificate's IP SANs: connect by name.
  await l.command(
    `register sip:${TRUNK.username}@phoneapp.unify.com sip:localhost:${e.ports.sip};transport=tls ${TRUNK.password}`,
  );
  await l.waitForAnswer("register-status ALL", /State: LinphoneRegistrationOk/, "registration");
  // Addressed to the emulator itself: the INVITE goes over the registered TLS connection.
  const al = `sip:+4923026672131@localhost:${e.ports.sip};transport=tls`;
  return { e, l, api: adminApi(e), al };
}

/** The Authorization header of the REGISTER that the emulator accepted. */
async function registerAuthorization(api: ReturnType<typeof adminApi>): Promise<string> {
  const requests = (await api.trace("?kind=sip")).filter(
    (x) =>
      x.direction === "in" && x.summary?.method === "REGISTER" && /^Authorization:/im.test(x.message ?? ""),
  );
  return requests.at(-1)?.message?.match(/^Authorization:(.*)$/im)?.[1] ?? "";
}

/**
 * Proof that the linphone tests stay on 127.0.0.0/8: every SDP linphone sent (offers, answers,
 * hold/resume re-INVITEs) names 127.0.0.1 in o=, c= and any a=rtcp: (the emulator sends RTP and
 * RTCP there; linphone's RTP sockets are bound to 127.0.0.1, so a latched source is too), and
 * every SIP message in the trace went to or came from 127.0.0.1. Without `[rtp] bind_address`
 * liblinphone writes the address of the default route's interface (eth0).
 */
async function expectLoopbackOnly(api: ReturnType<typeof adminApi>): Promise<void> {
  const sip = await api.trace("?kind=sip");
  const sdps = sip.filter((x) => x.direction === "in" && /^v=0\r?$/m.test(x.message ?? ""));
  expect(sdps.length).toBeGreaterThan(0);
  for (const x of sdps) {
    expect(x.message).toMatch(/^c=IN IP4 127\.0\.0\.1\r?$/m);
    const addresses = [...(x.message ?? "").matchAll(/\bIN IP[46] (\S+)/g)].map((m) => m[1]);
    expect(new Set(addresses)).toEqual(new Set(["127.0.0.1"]));
  }
  expect(new Set(sip.map((x) => x.peer?.address))).toEqual(new Set(["127.0.0.1"]));
}

/** Places a call from linphone; returns its daemon call id. */
async function dial(l: LinphoneDaemon, uri: string): Promise<string> {
  const id = LinphoneDaemon.field(await l.command(`call ${uri}`), "Id");
  if (!id) throw new Error("linphone-daemon gave no call id");
  return id;
}

describe.skipIf(!ready)("linphone-daemon 5.1 (belle-sip, mbedTLS) as the PBX trunk over TLS", () => {
  it("registers with MD5 digest (qop=auth)", async () => {
    const { e, api } = await registered();
    expect(e.bindings()).toMatchObject([{ aor: TRUNK.username, transport: "TLS" }]);
    const authorization = await registerAuthorization(api);
    expect(authorization).toMatch(/algorithm=MD5/);
    expect(authorization).toMatch(/qop=auth/);
  }, 120_000);

  it("registers with SHA-256 digest when the emulator offers SHA-256 first (--digest-algorithms SHA-256,MD5)", async () => {
    const { e, api } = await registered({ registrar: { digestAlgorithms: ["SHA-256", "MD5"] } });
    expect(e.bindings()).toHaveLength(1);
    expect(await registerAuthorization(api)).toMatch(/algorithm=SHA-256/);
  }, 120_000);

  it("calls a user: answered with RTP both ways, hold/retrieve, DTMF as RFC 4733 and as SIP INFO, BYE", async () => {
    const { l, api, al } = await registered();
    const id = await dial(l, al);
    await l.waitForAnswer(`call-status ${id}`, /State: LinphoneCallStreamsRunning/, "streams running");
    await l.playTone(id);
    const answered = await api.waitForCall(
      (c) =>
        c.state === "answered" &&
        (c.media?.stats.packetsReceived ?? 0) > 10 &&
        (c.media?.stats.packetsSent ?? 0) > 10,
      "linphone's call answered with RTP both ways",
      STEP_MS,
      () => l.logTail(),
    );

    await l.command(`call-pause ${id}`);
    await api.waitForCall(
      (c) => c.id === answered.id && c.onHold,
      "hold",
      STEP_MS,
      () => l.logTail(),
    );
    await l.waitForAnswer(`call-status ${id}`, /State: LinphoneCallPaused\b/, "the call paused");
    await l.command(`call-resume ${id}`);
    await api.waitForCall(
      (c) => c.id === answered.id && !c.onHold,
      "retrieve",
      STEP_MS,
      () => l.logTail(),
    );

    await l.waitForAnswer(`call-status ${id}`, /State: LinphoneCallStreamsRunning/, "the call resumed");
    // The resumed call's audio stream has no player: start the tone again and wait for RTP
    // both ways after the retrieve, so the RTCP report awaited below has our RTP to report on
    // however long the steps before took.
    const resumed = (await api.call(answered.id))?.media?.stats;
    await l.playTone(id);
    await api.waitForCall(
      (c) =>
        c.id === answered.id &&
        (c.media?.stats.packetsReceived ?? 0) > (resumed?.packetsReceived ?? 0) + 10 &&
        (c.media?.stats.packetsSent ?? 0) > (resumed?.packetsSent ?? 0) + 10,
      "RTP both ways after the retrieve",
      STEP_MS,
      () => l.logTail(),
    );
    await l.command("dtmf 5");
    await api.waitForCall((c) => c.id === answered.id && c.dtmf.length === 1, "RFC 4733 DTMF", STEP_MS);
    await l.command("config-set sip use_rfc2833 0");
    await l.command("config-set sip use_info 1");
    await l.command("dtmf 7");
    const withInfo = await api.waitForCall(
      (c) => c.id === answered.id && c.dtmf.length === 2,
      "SIP INFO DTMF",
      STEP_MS,
      () => l.logTail(),
    );
    expect(withInfo.dtmf).toMatchObject([
      { digit: "5", via: "rfc4733" },
      { digit: "7", via: "info" },
    ]);

    // linphone's RTCP receiver report about the emulator's stream: it hears our RTP.
    await api.waitForCall(
      (c) => c.id === answered.id && (c.media?.stats.rtcp?.lastReport ?? null) !== null,
      "an RTCP report from linphone about the emulator's RTP",
      STEP_MS,
      () => l.logTail(),
    );
    await l.command(`terminate ${id}`);
    const done = await api.waitForCall((c) => c.id === answered.id && c.state === "ended", "BYE", STEP_MS);
    expect(done.endedBy).toBe("pbx");
    await expectLoopbackOnly(api);
  }, 180_000);

  it("is called by a user: the INVITE arrives over its TLS connection, answered, RTP both ways, BYE from the emulator", async () => {
    const { l, api } = await registered();
    const started = await api.http.admin("POST", "/api/admin/calls", {
      fromUser: "al@acme.test",
      to: "+4930123456",
    });
    expect(started.status).toBe(201);
    const incoming = await l.waitForAnswer(
      "call-status",
      /State: LinphoneCallIncomingReceived/,
      "the incoming call",
    );
    const id = LinphoneDaemon.field(incoming, "Id") ?? "";
    await l.command(`answer ${id}`);
    await l.waitForAnswer(`call-status ${id}`, /State: LinphoneCallStreamsRunning/, "streams running");
    await l.playTone(id);
    await api.waitForCall(
      (c) =>
        c.id === started.body.id &&
        c.state === "answered" &&
        (c.media?.stats.packetsReceived ?? 0) > 10 &&
        (c.media?.stats.packetsSent ?? 0) > 10,
      "answered with RTP both ways",
      STEP_MS,
      () => l.logTail(),
    );
    await api.http.admin("DELETE", `/api/admin/calls/${started.body.id}`);
    await l.waitForAnswer(
      "call-status",
      /No current call|LinphoneCallEnd|LinphoneCallReleased/,
      "the BYE at linphone",
    );
    await expectLoopbackOnly(api);
  }, 120_000);

  it("mandatory SRTP: the RTP/SAVP offer is refused cleanly with 488", async () => {
    const { l, api, al } = await registered({}, { srtp: "mandatory" });
    const id = await dial(l, al);
    const refused = await api.waitForCall(
      (c) => c.state === "ended",
      "the refused call",
      STEP_MS,
      () => l.logTail(),
    );
    expect(refused.finalStatus).toBe(488);
    await l.waitForAnswer(
      `call-status ${id}`,
      /LinphoneCallError|LinphoneCallReleased|No call/,
      "the call failing at linphone",
    );
    await until(() => /SIP\/2.0 488 /.test(l.logTail(200_000)), "the 488 in linphone's log", STEP_MS);
    // Mandatory means no fallback: one INVITE, RTP/SAVP.
    const invites = (await api.trace("?kind=sip")).filter(
      (x) => x.direction === "in" && x.summary?.method === "INVITE",
    );
    expect(invites).toHaveLength(1);
    expect(invites[0]!.message).toMatch(/^m=audio \d+ RTP\/SAVP /m);
    await expectLoopbackOnly(api);
  }, 120_000);

  it("best-effort SRTP: the SRTP offer gets 488, linphone falls back to plain RTP and the call connects", async () => {
    const { l, api, al } = await registered({}, { srtp: "best-effort" });
    const id = await dial(l, al);
    await l.waitForAnswer(`call-status ${id}`, /State: LinphoneCallStreamsRunning/, "streams running");
    await l.playTone(id);
    const answered = await api.waitForCall(
      (c) => c.state === "answered" && (c.media?.stats.packetsReceived ?? 0) > 10,
      "the call answered with RTP",
      STEP_MS,
      () => l.logTail(),
    );
    // liblinphone 5.1's best effort: an RTP/SAVP offer with a=crypto first; the emulator's
    // clean 488 makes it retry the same call with plain RTP/AVP.
    const refused = (await api.calls()).find((c) => c.id !== answered.id);
    expect(refused).toMatchObject({ state: "ended", finalStatus: 488 });
    const invites = (await api.trace("?kind=sip")).filter(
      (x) => x.direction === "in" && x.summary?.method === "INVITE",
    );
    expect(invites.map((x) => /^m=audio \d+ (RTP\/S?AVP) /m.exec(x.message ?? "")?.[1])).toEqual([
      "RTP/SAVP",
      "RTP/AVP",
    ]);
    expect(invites[0]!.message).toMatch(/^a=crypto:/m);
    const sip = await api.trace(`?kind=sip&callId=${answered.id}`);
    const answer = sip.find((x) => x.direction === "out" && x.summary?.status === 200)?.message ?? "";
    expect(answer).toMatch(/^m=audio \d+ RTP\/AVP /m);
    await l.command(`terminate ${id}`);
    await api.waitForCall((c) => c.id === answered.id && c.state === "ended", "BYE", STEP_MS);
    await expectLoopbackOnly(api);
  }, 120_000);
});
