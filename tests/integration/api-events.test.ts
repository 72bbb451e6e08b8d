import dgram from "node:dgram";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_EVENT_STREAMS } from "../../src/api/routes/events.js";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { EventStreamClient } from "../support/event-stream-client.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";

const TOKEN = "api-events-admin-token";
const USER_NUMBER = "+4923026672131";
const SEED = `
tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-mock
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - emailAddress: al@acme.test
        firstName: Al
        lastName: Ace
        locale: de-DE
        callno: "2131"
        phoneNumber: "${USER_NUMBER}"
        system: osbiz-mock
        callBehaviour: { mode: answer, ringMs: 0 }
`;

describe("GET /api/admin/events", () => {
  let emulator: EmulatorHandle;
  let http: ReturnType<typeof httpClient>;
  let rtp: dgram.Socket;
  const open: EventStreamClient[] = [];
  const stream = async (token?: string) => {
    const client = await EventStreamClient.open(emulator, token);
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    emulator = await startTestEmulator({ adminToken: TOKEN, seedText: SEED });
    http = httpClient(emulator);
    rtp = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => rtp.bind(0, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    rtp?.close();
    await emulator?.close();
  });

  it("needs the admin token: 401 problem+json without it or with a wrong one", async () => {
    const missing = await stream("");
    expect(missing.status).toBe(401);
    expect(missing.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(JSON.parse(missing.text).code).toBe("admin_token_missing");
    const wrong = await stream("not-the-token");
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.text).code).toBe("admin_token_invalid");
  });

  it("streams ready, the connector turning available, a call's events, clock, fault and scenario changes", async () => {
    const events = await stream();
    expect(events.status).toBe(200);
    expect(events.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(events.headers["cache-control"]).toBe("no-store");
    const ready = await events.next("ready");
    expect(ready.data.clock).toMatchObject({ frozen: false });
    expect(ready.data.trace.recorded).toBeGreaterThan(0);
    expect(events.comments).toBeGreaterThan(0);

    const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    try {
      expect((await pbx.register()).status).toBe(200);
      const acme = (await http.admin("GET", "/api/admin/tenants")).body[0];
      const connector = await events.next("connector");
      expect(connector.data).toMatchObject({ tenantId: acme.id, status: "available" });
      expect(connector.data.at).toMatch(/^\d{4}-\d\d-\d\dT/);

      const invite = pbx.sendInvite(USER_NUMBER, sdpOffer(rtp.address().port));
      const ok = await pbx.response(invite.callId, 200);
      pbx.ack(ok, invite);
      pbx.inDialog("BYE", ok);
      await pbx.response(invite.callId, 200, "BYE");
      await events.next("call", (d) => d.type === "ended");
      const calls = events.events.filter((e) => e.type === "call");
      const callId = calls[0]!.data.callId;
      expect(callId).toMatch(/^call-/);
      expect(calls.every((e) => e.data.callId === callId)).toBe(true);
      const types = calls.map((e) => e.data.type);
      expect(types[0]).toBe("invite");
      expect(types.indexOf("answered")).toBeGreaterThan(0);
      expect(types.at(-1)).toBe("ended");
      await events.next("trace");
    } finally {
      pbx.close();
    }

    const advanced = await http.admin("POST", "/api/admin/clock/advance", { by: "1d" });
    expect(advanced.status).toBe(200);
    const clock = await events.next("clock", (d) => d.epochMs >= advanced.body.epochMs);
    expect(clock.data).toMatchObject({ frozen: false });
    expect(Date.parse(clock.data.now)).toBe(clock.data.epochMs);
    await http.admin("PUT", "/api/admin/clock", { frozen: true });
    await events.next("clock", (d) => d.frozen === true);

    const added = await http.admin("POST", "/api/admin/faults", {
      id: "opt-503",
      layer: "sip",
      match: { method: "OPTIONS" },
      action: { type: "respond", status: 503 },
    });
    expect(added.status).toBe(201);
    expect((await events.next("faults")).data).toEqual({ method: "POST" });
    await http.admin("DELETE", "/api/admin/faults/opt-503");
    expect((await events.next("faults", (d) => d.method === "DELETE")).data).toEqual({
      method: "DELETE",
      faultId: "opt-503",
    });
    // A refused write changes nothing and says nothing.
    expect((await http.admin("DELETE", "/api/admin/faults/opt-503")).status).toBe(404);

    const applied = await http.admin("POST", "/api/admin/scenarios/not-registered-firewall/apply");
    expect(applied.status).toBe(200);
    expect((await events.next("scenario")).data).toEqual({ name: "not-registered-firewall" });
    expect(events.events.filter((e) => e.type === "faults")).toHaveLength(2);

    const ids = events.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  }, 30_000);

  it(`allows ${MAX_EVENT_STREAMS} streams at once and answers 503 problem+json beyond, until one closes`, async () => {
    // Streams of the tests before that are still open count too.
    const already = open.filter((s) => s.status === 200 && !s.ended).length;
    for (let i = already; i < MAX_EVENT_STREAMS; i++) expect((await stream()).status).toBe(200);
    const refused = await stream();
    expect(refused.status).toBe(503);
    expect(refused.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(refused.headers["retry-after"]).toBe("5");
    expect(JSON.parse(refused.text)).toMatchObject({ status: 503, code: "event_streams_exhausted" });

    await Promise.all(open.filter((s) => s.status === 200).map((s) => s.close()));
    let again: EventStreamClient | undefined;
    await until(async () => {
      await again?.close();
      again = await stream();
      return again.status === 200;
    }, "a stream admitted once the others closed");
    await again!.next("ready");
  });
});

describe("HEAD /api/admin/events", () => {
  it("answers the stream's headers and holds no stream: more HEADs than the limit, then a stream still opens", async () => {
    const emulator = await startTestEmulator({ adminToken: TOKEN, seedText: SEED });
    // Raw sockets kept open after their answer, as a keep-alive client would keep them.
    const sockets: tls.TLSSocket[] = [];
    try {
      for (let i = 0; i <= MAX_EVENT_STREAMS; i++) {
        const socket = tls.connect({
          host: "127.0.0.1",
          port: emulator.ports.https,
          ca: emulator.certificates.caCertPem!,
          servername: "localhost",
        });
        sockets.push(socket);
        let answer = "";
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => {
          answer += chunk;
        });
        socket.write(
          `HEAD /api/admin/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
        );
        await until(() => answer.includes("\r\n\r\n"), "the answer's headers");
        expect(answer).toMatch(/^HTTP\/1\.1 200 /);
        expect(answer).toMatch(/content-type: text\/event-stream; charset=utf-8/i);
      }
      const events = await EventStreamClient.open(emulator);
      expect(events.status).toBe(200);
      await events.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await emulator.close();
    }
  });
});

describe("GET /api/admin/events on shutdown", () => {
  it("ends the open streams when the emulator closes, without holding the close", async () => {
    const emulator = await startTestEmulator({ adminToken: TOKEN, seedText: SEED });
    const streams = await Promise.all([EventStreamClient.open(emulator), EventStreamClient.open(emulator)]);
    try {
      for (const s of streams) await s.next("ready");
      await emulator.close();
      await until(() => streams.every((s) => s.ended), "both streams ended");
      // Finished as a response (the last chunk sent), not cut off with the connection.
      expect(streams.map((s) => s.endedBy)).toEqual(["end", "end"]);
    } finally {
      await Promise.all(streams.map((s) => s.close()));
    }
  });
});
