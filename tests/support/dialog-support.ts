import { randomBytes } from "node:crypto";
import type { EmulatorHandle, StartOptions } from "../../src/index.js";
import type { SipMessage, SipRequest, SipResponse } from "../../src/sip/message/index.js";
import { startTestEmulator, TRUNK } from "./emulator.js";
import { type HttpAnswer, httpClient } from "./http.js";
import { PbxTestUa } from "./pbx-test-ua.js";
import type { SipTestClient } from "./sip-test-client.js";

/** One tenant, one trunk with two lines, one user (+49 2302 667 2131). */
export const DIALOG_SEED = `
tenants:
  - name: Acme
    systems:
      - systemId: osbiz-1
        simultaneousCalls: 2
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }
`;

/**
 * An emulator with DIALOG_SEED (300 RTP ports from `rtpFrom`, so test files running in
 * parallel do not share them) and a PBX registered on its trunk.
 */
export async function emulatorWithPbx(
  rtpFrom: number,
  options: StartOptions = {},
): Promise<{ emulator: EmulatorHandle; http: ReturnType<typeof httpClient>; pbx: PbxTestUa }> {
  const emulator = await startTestEmulator({
    adminToken: "dialog-admin",
    seedText: DIALOG_SEED,
    rtpPorts: { min: rtpFrom, max: rtpFrom + 299 },
    ...options,
  });
  const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  const registered = await pbx.register();
  if (registered.status !== 200) throw new Error(`PBX registration answered ${registered.status}`);
  return { emulator, http: httpClient(emulator), pbx };
}

/** The number of the seeded user as the PBX dials it. */
export const AL = "+4923026672131";

type Admin = (method: string, path: string, body?: unknown) => Promise<HttpAnswer>;

/** Set Al's call behaviour; returns his user id. */
export async function setAlBehaviour(admin: Admin, behaviour: Record<string, unknown>): Promise<string> {
  const acme = (await admin("GET", "/api/admin/tenants")).body.find(
    (t: { name: string }) => t.name === "Acme",
  );
  const users = (await admin("GET", `/api/admin/tenants/${acme.id}/users?search=al@acme.test`)).body.items;
  await admin("PATCH", `/api/admin/tenants/${acme.id}/users/${users[0].id}`, { callBehaviour: behaviour });
  return users[0].id;
}

/** The journal entry of the call with a leg of this SIP Call-ID. */
export async function journalOf(admin: Admin, sipCallId: string) {
  const calls = (await admin("GET", "/api/admin/calls")).body;
  return calls.find((c: { legs: { callId: string }[] }) => c.legs.some((l) => l.callId === sipCallId));
}

export function eventTypes(entry: { events: { type: string }[] } | undefined): string[] {
  return entry ? entry.events.map((e) => e.type) : [];
}

/**
 * A response to a request the emulator sent, with extra header lines (Record-Route…),
 * written raw so the test controls every byte.
 */
export function respondRaw(
  client: SipTestClient,
  request: SipRequest,
  status: number,
  reason: string,
  options: { toTag?: string; contact?: string; sdp?: string; headers?: string[] } = {},
): void {
  const to = request.headers.get("to")!;
  const body = options.sdp ?? "";
  client.write(
    [
      `SIP/2.0 ${status} ${reason}`,
      ...request.headers.getAll("via").map((v) => `Via: ${v}`),
      `From: ${request.headers.get("from")}`,
      `To: ${/;tag=/.test(to) ? to : `${to};tag=${options.toTag ?? "pbx1"}`}`,
      `Call-ID: ${request.callId}`,
      `CSeq: ${request.cseq.seq} ${request.cseq.method}`,
      ...(options.contact ? [`Contact: ${options.contact}`] : []),
      ...(options.headers ?? []),
      ...(options.sdp ? ["Content-Type: application/sdp"] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n"),
  );
}

/** An ACK for a 2xx the emulator sent, on any connection (a proxy may use another one). */
export function ackRaw(client: SipTestClient, ok: SipResponse): void {
  const contact = /<([^>]+)>/.exec(ok.headers.get("contact") ?? "")?.[1] ?? "sip:x@phoneapp.unify.com";
  client.write(
    [
      `ACK ${contact} SIP/2.0`,
      `Via: SIP/2.0/TLS 127.0.0.1:${client.localPort};branch=z9hG4bK${randomBytes(8).toString("hex")}`,
      "Max-Forwards: 70",
      `From: ${ok.headers.get("from")}`,
      `To: ${ok.headers.get("to")}`,
      `Call-ID: ${ok.callId}`,
      `CSeq: ${ok.cseq.seq} ACK`,
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
  );
}

/**
 * A request inside the dialog of a 2xx the emulator sent (we are the caller), with our own
 * CSeq, on any connection; returns its Call-ID.
 */
export function inDialogRaw(
  client: SipTestClient,
  ok: SipResponse,
  method: string,
  cseq: number,
  options: { body?: string; contentType?: string } = {},
): string {
  const contact = /<([^>]+)>/.exec(ok.headers.get("contact") ?? "")?.[1] ?? "sip:x@phoneapp.unify.com";
  const body = options.body ?? "";
  client.write(
    [
      `${method} ${contact} SIP/2.0`,
      `Via: SIP/2.0/TLS 127.0.0.1:${client.localPort};branch=z9hG4bK${randomBytes(8).toString("hex")}`,
      "Max-Forwards: 70",
      `From: ${ok.headers.get("from")}`,
      `To: ${ok.headers.get("to")}`,
      `Call-ID: ${ok.callId}`,
      `CSeq: ${cseq} ${method}`,
      ...(options.contentType ? [`Content-Type: ${options.contentType}`] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n"),
  );
  return ok.callId;
}

/**
 * Everything the emulator sent on this connection before now has arrived once this
 * returns: an OPTIONS round trip on the same ordered stream is the barrier.
 */
export async function barrier(client: SipTestClient): Promise<void> {
  const callId = `barrier-${randomBytes(4).toString("hex")}`;
  await client.request(
    [
      "OPTIONS sip:phoneapp.unify.com SIP/2.0",
      `Via: SIP/2.0/TLS 127.0.0.1:${client.localPort};branch=z9hG4bK${randomBytes(8).toString("hex")}`,
      "Max-Forwards: 70",
      `From: <sip:probe@phoneapp.unify.com>;tag=${randomBytes(4).toString("hex")}`,
      "To: <sip:phoneapp.unify.com>",
      `Call-ID: ${callId}`,
      "CSeq: 1 OPTIONS",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
  );
}

/** Messages received and not yet consumed that match. */
export function count(client: SipTestClient, match: (m: SipMessage) => boolean): number {
  return client.received.filter(match).length;
}
