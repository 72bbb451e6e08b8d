import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import type { SipRequest, SipResponse } from "../../src/sip/message/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";

/*
 * The PBX side of message waiting indication over the trunk's TLS connection, in raw SIP:
 * SUBSCRIBE message-summary for a user (RFC 3842 / RFC 6665), refresh and unsubscribe,
 * and unsolicited NOTIFYs, good and bad.
 */

const SEED = acmeSeed();
const AL = "+4923026672131";
const hex = (n: number) => randomBytes(n).toString("hex");

let emulator: EmulatorHandle;
let pbx: PbxTestUa;

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: "mwi-admin", seedText: SEED });
  pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
});

afterEach(async () => {
  pbx.close();
  await emulator.close();
});

interface RequestSpec {
  method: "SUBSCRIBE" | "NOTIFY";
  to?: string;
  callId?: string;
  cseq?: number;
  /** To header with tag, for requests inside a subscription. */
  toHeader?: string;
  event?: string;
  expires?: string;
  body?: string;
  contentType?: string;
}

function send(spec: RequestSpec): Promise<SipResponse> {
  const to = spec.to ?? AL;
  const body = spec.body ?? "";
  const text = [
    `${spec.method} sip:${to}@phoneapp.unify.com SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:${pbx.port};branch=z9hG4bK${hex(8)};rport`,
    "Max-Forwards: 70",
    `From: <sip:${TRUNK.username}@phoneapp.unify.com>;tag=${pbx.fromTag}`,
    `To: ${spec.toHeader ?? `<sip:${to}@phoneapp.unify.com>`}`,
    `Call-ID: ${spec.callId ?? `mwi-${hex(6)}`}`,
    `CSeq: ${spec.cseq ?? 1} ${spec.method}`,
    `Contact: <sip:${TRUNK.username}@127.0.0.1:${pbx.port};transport=tls>`,
    `Event: ${spec.event ?? "message-summary"}`,
    ...(spec.expires === undefined ? [] : [`Expires: ${spec.expires}`]),
    ...(spec.method === "NOTIFY" ? ["Subscription-State: active"] : []),
    ...(body ? [`Content-Type: ${spec.contentType ?? "application/simple-message-summary"}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
  return pbx.client.request(text);
}

/** The next NOTIFY of a subscription, answered 200. */
async function nextNotify(callId: string): Promise<SipRequest> {
  const notify = await pbx.incoming("NOTIFY", callId);
  pbx.respond(notify, 200, "OK");
  return notify;
}

describe("SUBSCRIBE message-summary from the PBX", () => {
  it("200 with Expires, the state at once, each change, and Expires: 0 ends it with a terminated NOTIFY", async () => {
    const callId = `mwi-${hex(6)}`;
    const ok = await send({ method: "SUBSCRIBE", callId, expires: "600" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("expires")).toBe("600");
    expect(ok.to.params.tag).toBeTruthy();
    expect(ok.headers.get("contact")).toMatch(/^<sip:connector@/);

    const first = await nextNotify(callId);
    expect(first.headers.get("event")).toBe("message-summary");
    expect(first.headers.get("subscription-state")).toBe("active;expires=600");
    expect(first.headers.get("content-type")).toBe("application/simple-message-summary");
    expect(first.from.params.tag).toBe(ok.to.params.tag);
    expect(first.body.toString()).toBe(
      `Messages-Waiting: no\r\nMessage-Account: sip:${AL}@phoneapp.unify.com\r\nVoice-Message: 0/0 (0/0)\r\n`,
    );

    const reported = await send({
      method: "NOTIFY",
      body: "Messages-Waiting: yes\r\nVoice-Message: 2/5 (1/0)\r\n",
    });
    expect(reported.status).toBe(200);
    const change = await nextNotify(callId);
    expect(change.headers.get("subscription-state")).toMatch(/^active;expires=(600|599)$/);
    expect(change.body.toString()).toContain("Messages-Waiting: yes\r\n");
    expect(change.body.toString()).toContain("Voice-Message: 2/5 (1/0)\r\n");
    expect(change.cseq.seq).toBeGreaterThan(first.cseq.seq);

    const refreshed = await send({
      method: "SUBSCRIBE",
      callId,
      cseq: 2,
      toHeader: ok.headers.get("to")!,
      expires: "300",
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get("expires")).toBe("300");
    expect((await nextNotify(callId)).headers.get("subscription-state")).toBe("active;expires=300");

    const ended = await send({
      method: "SUBSCRIBE",
      callId,
      cseq: 3,
      toHeader: ok.headers.get("to")!,
      expires: "0",
    });
    expect(ended.status).toBe(200);
    expect(ended.headers.get("expires")).toBe("0");
    const last = await nextNotify(callId);
    expect(last.headers.get("subscription-state")).toBe("terminated;reason=timeout");
    expect(last.body.toString()).toContain("Voice-Message: 2/5 (1/0)");

    const gone = await send({
      method: "SUBSCRIBE",
      callId,
      cseq: 4,
      toHeader: ok.headers.get("to")!,
      expires: "600",
    });
    expect(gone.status).toBe(481);
  });

  it("a fetch (Expires: 0 on a new SUBSCRIBE) gets 200 and one terminated NOTIFY", async () => {
    const callId = `mwi-${hex(6)}`;
    const ok = await send({ method: "SUBSCRIBE", callId, expires: "0" });
    expect(ok.status).toBe(200);
    expect((await nextNotify(callId)).headers.get("subscription-state")).toBe("terminated;reason=timeout");
  });

  it("shutdown ends a live subscription with NOTIFY terminated;reason=noresource", async () => {
    const callId = `mwi-${hex(6)}`;
    expect((await send({ method: "SUBSCRIBE", callId, expires: "600" })).status).toBe(200);
    await nextNotify(callId);
    const closing = emulator.close();
    const last = await pbx.incoming("NOTIFY", callId);
    expect(last.headers.get("subscription-state")).toBe("terminated;reason=noresource");
    await closing;
  });

  it("refuses what it cannot serve, with the RFC's status and a reason", async () => {
    const unknown = await send({ method: "SUBSCRIBE", to: "+4923026672999", expires: "600" });
    expect([unknown.status, unknown.reason]).toEqual([404, "Not Found: no user with number +4923026672999"]);
    const brief = await send({ method: "SUBSCRIBE", expires: "10" });
    expect([brief.status, brief.headers.get("min-expires")]).toEqual([423, "60"]);
    const bad = await send({ method: "SUBSCRIBE", expires: "soon" });
    expect([bad.status, bad.reason]).toEqual([400, 'Bad Request: Expires "soon" is not a number of seconds']);
    // Other event packages are not served: refused as before MWI (405, the unmatched journal).
    const presence = await send({ method: "SUBSCRIBE", event: "presence", expires: "600" });
    expect(presence.status).toBe(405);
  });
});

describe("OPTIONS", () => {
  it("names message-summary in Allow-Events; SUBSCRIBE and NOTIFY stay out of Allow (other packages get 405)", async () => {
    const callId = `opt-${hex(6)}`;
    const options = await pbx.client.request(
      [
        "OPTIONS sip:phoneapp.unify.com SIP/2.0",
        `Via: SIP/2.0/TLS 127.0.0.1:${pbx.port};branch=z9hG4bK${hex(8)}`,
        "Max-Forwards: 70",
        `From: <sip:${TRUNK.username}@phoneapp.unify.com>;tag=${pbx.fromTag}`,
        "To: <sip:phoneapp.unify.com>",
        `Call-ID: ${callId}`,
        "CSeq: 1 OPTIONS",
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n"),
    );
    expect(options.headers.get("allow-events")).toBe("message-summary");
    expect(options.headers.get("allow")).not.toMatch(/NOTIFY|SUBSCRIBE/);
  });
});

describe("unsolicited NOTIFY message-summary from the PBX", () => {
  it("answers a malformed summary 400, none 400, an unknown number 404, another event 405", async () => {
    const malformed = await send({
      method: "NOTIFY",
      body: "Messages-Waiting: yes\r\nVoice-Message: lots\r\n",
    });
    expect([malformed.status, malformed.reason]).toEqual([
      400,
      "Bad Request: voice-message must be new/old (urgent-new/urgent-old)",
    ]);
    const empty = await send({ method: "NOTIFY" });
    expect([empty.status, empty.reason]).toEqual([400, "Bad Request: message-summary NOTIFY without a body"]);
    const unknown = await send({ method: "NOTIFY", to: "2999", body: "Messages-Waiting: no\r\n" });
    expect([unknown.status, unknown.reason]).toEqual([404, "Not Found: no user with number 2999"]);
    const other = await send({ method: "NOTIFY", event: "check-sync" });
    expect(other.status).toBe(405);
  });
});
