import pino from "pino";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type CertificateAndKey,
  createCertificateAuthority,
  issueServerCertificate,
} from "../../src/certs/index.js";
import {
  FaultEngine,
  type FaultHitEvent,
  type FaultRuleInput,
  SipFaultGate,
  type SipSubjectResolver,
} from "../../src/faults/index.js";
import { ControllableClock, SystemClock } from "../../src/shared/clock.js";
import { newTag } from "../../src/shared/ids.js";
import { SipRouter, SipStack } from "../../src/sip/core/index.js";
import { createResponse, type SipMessage, type SipResponse } from "../../src/sip/message/index.js";
import type { TransportLimits } from "../../src/sip/transport/index.js";
import { registerText, SipTestClient } from "../support/sip-test-client.js";

const log = pino({ level: "silent" });
const LIMITS: TransportLimits = {
  maxMessageSize: 65_536,
  maxHeaders: 200,
  maxConnectionsPerSource: 50,
  maxConnections: 500,
  idleTimeoutMs: 60_000,
  partialMessageTimeoutMs: 10_000,
};
const TRUNK_USER = "3919209257";
/** Long enough to see that nothing arrives; the assertions never depend on how long things take. */
const QUIET_MS = 300;

let ca: CertificateAndKey;
let server: CertificateAndKey;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(() => {
  ca = createCertificateAuthority();
  server = issueServerCertificate(ca, { hosts: ["phoneapp.unify.com", "127.0.0.1"] });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A SIP stack on 127.0.0.1 whose REGISTER handler answers 200 with the Contact, behind a fault gate. */
async function start(subjects?: SipSubjectResolver) {
  const timers = new ControllableClock({ frozen: true });
  const engine = new FaultEngine(new ControllableClock({ frozen: true }));
  const gate = new SipFaultGate(engine, { timers, ...(subjects ? { subjects } : {}) });
  const router = new SipRouter(log);
  const handled: string[] = [];
  router.on("REGISTER", (tx) => {
    handled.push(tx.request.callId);
    const ok = createResponse(tx.request, 200, "OK", newTag());
    ok.headers.set("Contact", `${tx.request.headers.get("Contact")};expires=600`);
    ok.headers.set("Server", "unify-phone-emulator");
    tx.respond(ok);
  });
  const stack = new SipStack(LIMITS, new SystemClock(), router, log, gate);
  const { port } = await stack.transport.listenTls({
    host: "127.0.0.1",
    port: 0,
    key: server.keyPem,
    cert: server.certPem,
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.3",
    ciphers: null,
    handshakeTimeoutMs: 5000,
    sipFaults: gate,
  });
  cleanups.push(() => stack.shutdown(0));
  const hits: FaultHitEvent[] = [];
  engine.onHit((e) => hits.push(e));
  const add = (rule: FaultRuleInput) => engine.add(rule).id;
  return { engine, timers, handled, hits, add, port };
}

async function connect(port: number) {
  const client = await SipTestClient.connectTls(port, { ca: ca.certPem });
  const errors: string[] = [];
  let raw = "";
  client.socket.on("error", (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
  client.socket.on("data", (chunk: Buffer) => {
    raw += chunk.toString("latin1");
  });
  cleanups.push(() => client.close());
  return { client, errors, raw: () => raw };
}

const isResponse = (m: SipMessage): m is SipResponse => m.kind === "response";

function register(client: SipTestClient, extraHeaders: string[] = [], callId?: string): string {
  return registerText({
    user: TRUNK_USER,
    localPort: client.localPort,
    expires: 600,
    extraHeaders,
    ...(callId ? { callId } : {}),
  });
}

describe("SIP faults over TLS", () => {
  it("answers a REGISTER 503 with Retry-After and Warning instead of processing it", async () => {
    const s = await start();
    const id = s.add({
      layer: "sip",
      match: { direction: "in", method: "REGISTER" },
      action: { type: "respond", status: 503, reason: "Overloaded", retryAfter: 30, warning: 'busy "now"' },
    });
    const { client } = await connect(s.port);
    const answer = await client.request(register(client));
    expect(answer.status).toBe(503);
    expect(answer.reason).toBe("Overloaded");
    expect(answer.headers.get("Retry-After")).toBe("30");
    expect(answer.headers.get("Warning")).toBe('399 unify-phone-emulator "busy \\"now\\""');
    expect(answer.to.params.tag).toBeTruthy();
    expect(s.handled).toEqual([]);
    expect(s.engine.get(id)?.hits).toBe(1);
    expect(s.hits[0]).toMatchObject({ faultId: id, point: "sip.in", action: "respond" });
    expect(s.hits[0]?.detail).toMatch(
      /^respond 503 Retry-After 30: REGISTER from 127\.0\.0\.1:\d+ \(c\d+\)$/,
    );
  });

  it("matches a header by pattern: only the OpenScape PBX gets the fault", async () => {
    const s = await start();
    s.add({
      layer: "sip",
      match: { method: "REGISTER", headers: [{ header: "User-Agent", pattern: "^OpenScape" }] },
      action: { type: "respond", status: 403 },
    });
    const { client } = await connect(s.port);
    expect((await client.request(register(client, ["User-Agent: OpenScape Business V3R2"]))).status).toBe(
      403,
    );
    expect((await client.request(register(client, ["User-Agent: Asterisk PBX 20"]))).status).toBe(200);
  });

  it("matches a trunk and tenant through the injected resolver", async () => {
    const s = await start((message) =>
      message.to.uri.user === TRUNK_USER
        ? { trunk: ["t1", "gtc-001", TRUNK_USER], tenant: ["ten1", "Acme"] }
        : {},
    );
    s.add({
      layer: "sip",
      match: { trunk: "gtc-001", tenant: "acme" },
      action: { type: "respond", status: 480 },
    });
    const { client } = await connect(s.port);
    expect((await client.request(register(client))).status).toBe(480);
    const other = registerText({ user: "1000000001", localPort: client.localPort, expires: 600 });
    expect((await client.request(other)).status).toBe(200);
  });

  it("delays a received request until the timer clock has moved on", async () => {
    const s = await start();
    s.add({ layer: "sip", match: { method: "REGISTER" }, action: { type: "delay", ms: 5000 } });
    const { client } = await connect(s.port);
    const answered = client.request(register(client));
    await expect(client.waitFor(isResponse, QUIET_MS)).rejects.toThrow(/timed out/);
    expect(s.handled).toEqual([]);
    s.timers.advance(5000);
    expect((await answered).status).toBe(200);
  });

  it("delays what we send (a random delay from a range, drawn with the rule's seed)", async () => {
    const s = await start();
    s.add({
      layer: "sip",
      match: { direction: "out", status: 200 },
      action: { type: "delay", minMs: 1000, maxMs: 2000 },
      when: { seed: 3 },
    });
    const { client } = await connect(s.port);
    const answered = client.request(register(client));
    await expect(client.waitFor(isResponse, QUIET_MS)).rejects.toThrow(/timed out/);
    expect(s.handled).toHaveLength(1);
    s.timers.advance(2000);
    expect((await answered).status).toBe(200);
  });

  it("drops a request: no answer, the connection stays usable", async () => {
    const s = await start();
    const id = s.add({
      layer: "sip",
      match: { method: "REGISTER" },
      action: { type: "drop" },
      when: { firstN: 1 },
    });
    const { client } = await connect(s.port);
    client.write(register(client, [], "dropped"));
    await expect(client.waitFor(isResponse, QUIET_MS)).rejects.toThrow(/timed out/);
    expect(client.closed).toBe(false);
    expect((await client.request(register(client))).status).toBe(200);
    expect(s.handled).toHaveLength(1);
    expect(s.engine.get(id)?.hits).toBe(1);
  });

  it("closes the TLS connection gracefully instead of answering", async () => {
    const s = await start();
    s.add({ layer: "sip", match: { method: "REGISTER" }, action: { type: "close" } });
    const { client, errors } = await connect(s.port);
    client.write(register(client));
    await client.waitClosed();
    expect(errors).toEqual([]);
    expect(client.received).toEqual([]);
  });

  it("resets the connection: the client sees ECONNRESET", async () => {
    const s = await start();
    s.add({ layer: "sip", match: { direction: "out", status: 200 }, action: { type: "reset" } });
    const { client, errors } = await connect(s.port);
    client.write(register(client));
    await client.waitClosed();
    expect(errors).toEqual(["ECONNRESET"]);
    expect(client.received).toEqual([]);
  });

  it("corrupts what we send: the client gets bytes that are no SIP message", async () => {
    const s = await start();
    s.add({ layer: "sip", match: { direction: "out", status: 200 }, action: { type: "corrupt" } });
    const { client, raw } = await connect(s.port);
    client.write(register(client));
    const deadline = Date.now() + 5000;
    while (!raw().includes("\r\n\r\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(raw()).toMatch(/^SIP\/2\.0 9x9 Corrupted by fault injection\r\nVia: /);
    expect(client.received).toEqual([]);
  });

  it("modifies what we send: the 200 to REGISTER loses its Contact, other headers stay", async () => {
    const s = await start();
    s.add({
      layer: "sip",
      match: { direction: "out", method: "REGISTER", status: 200 },
      action: { type: "modify", removeHeader: "Contact", setHeader: { name: "Server", value: "Faulty/1.0" } },
    });
    const { client } = await connect(s.port);
    const answer = await client.request(register(client));
    expect(answer.status).toBe(200);
    expect(answer.headers.has("Contact")).toBe(false);
    expect(answer.headers.get("Server")).toBe("Faulty/1.0");
    expect(answer.headers.get("Call-ID")).toBeTruthy();
  });

  it("modifies what we receive before it is processed", async () => {
    const s = await start();
    s.add({
      layer: "sip",
      match: { direction: "in", method: "REGISTER" },
      action: { type: "modify", setHeader: { name: "Contact", value: "<sip:rewritten@192.0.2.1:5061>" } },
    });
    const { client } = await connect(s.port);
    const answer = await client.request(register(client));
    expect(answer.headers.get("Contact")).toBe("<sip:rewritten@192.0.2.1:5061>;expires=600");
  });
});
