import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type CertificateSet, ensureCertificates } from "../../../src/certs/index.js";
import { TrunkLink, type TrunkLinkEvents } from "../../../src/mock-osbiz/trunk-link.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import type { SipMessage } from "../../../src/sip/message/index.js";
import type { SipConnection } from "../../../src/sip/transport/index.js";

const OPTIONS = [
  "OPTIONS sip:3919209257@127.0.0.1 SIP/2.0",
  "Via: SIP/2.0/TLS 127.0.0.1:65061;branch=z9hG4bKka1",
  "From: <sip:connector@phoneapp.unify.com>;tag=1",
  "To: <sip:3919209257@phoneapp.unify.com>",
  "Call-ID: ka-1",
  "CSeq: 1 OPTIONS",
  "Content-Length: 0",
  "",
  "",
].join("\r\n");

let certs: CertificateSet;
let server: tls.Server;
let port: number;
let accepted: tls.TLSSocket[];
let received: string;
let clock: ControllableClock;
let messages: SipMessage[];
let closes: string[];
let reconnections: SipConnection[];
let link: TrunkLink | undefined;

beforeAll(async () => {
  certs = await ensureCertificates({
    dir: mkdtempSync(path.join(tmpdir(), "upe-link-")),
    hosts: ["phoneapp.unify.com", "127.0.0.1"],
  });
});

beforeEach(async () => {
  accepted = [];
  received = "";
  server = tls.createServer({ key: certs.keyPem, cert: certs.certPem }, (socket) => {
    accepted.push(socket);
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
  clock = new ControllableClock({ frozen: true });
  messages = [];
  closes = [];
  reconnections = [];
});

afterEach(async () => {
  link?.close();
  link = undefined;
  for (const socket of accepted) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function makeLink(domain = "phoneapp.unify.com"): TrunkLink {
  const events: TrunkLinkEvents = {
    onMessage: (message) => messages.push(message),
    onReconnected: (connection) => reconnections.push(connection),
    onClosed: (_connection, reason) => closes.push(reason),
  };
  link = new TrunkLink({ host: "127.0.0.1", port, domain, ca: certs.caCertPem }, events, {
    timers: clock,
    keepAliveMs: 30_000,
    reconnect: { initialMs: 1000, maxMs: 4000 },
    log: () => undefined,
  });
  return link;
}

describe("TrunkLink", () => {
  it("checks the certificate against the SIP domain, sent as SNI", async () => {
    await expect(makeLink("wrong.example").connect()).rejects.toThrow(/wrong\.example/);
    link!.close();
    const connection = await makeLink().connect();
    expect(connection.open).toBe(true);
    // The refused handshake never became a connection on the server.
    await vi.waitFor(() => expect(accepted).toHaveLength(1));
    expect((accepted[0] as tls.TLSSocket & { servername: string }).servername).toBe("phoneapp.unify.com");
  });

  it("sends CRLFCRLF keep-alives; an answer keeps the flow open", async () => {
    await makeLink().connect();
    await vi.waitFor(() => expect(accepted).toHaveLength(1));
    clock.advance(30_000);
    await vi.waitFor(() => expect(received).toBe("\r\n\r\n"));
    // The CRLF pong, then a request: once the request is framed, the pong was read too.
    accepted[0]!.write(`\r\n${OPTIONS}`);
    await vi.waitFor(() => expect(messages).toHaveLength(1));
    clock.advance(10_000);
    expect(closes).toEqual([]);
    expect(link!.connection?.open).toBe(true);
  });

  it("closes a flow whose keep-alive stays unanswered and reconnects with doubling delays", async () => {
    await makeLink().connect();
    clock.advance(30_000);
    await vi.waitFor(() => expect(received).toBe("\r\n\r\n"));
    clock.advance(10_000);
    expect(closes).toEqual(["no answer to the CRLFCRLF keep-alive within 10 s (RFC 5626 §4.4.1)"]);
    expect(link!.connection).toBeUndefined();
    clock.advance(999);
    expect(reconnections).toHaveLength(0);
    clock.advance(1);
    await vi.waitFor(() => expect(reconnections).toHaveLength(1));
    expect(link!.connection).toBe(reconnections[0]);
    // The server may see the connection after the client does: wait, so the count below is exact.
    await vi.waitFor(() => expect(accepted).toHaveLength(2));

    // Not healthy yet (no registration): the next loss waits twice as long.
    link!.drop("registration failed");
    clock.advance(1999);
    expect(accepted).toHaveLength(2);
    clock.advance(1);
    await vi.waitFor(() => expect(reconnections).toHaveLength(2));
  });

  it("does not reconnect once closed", async () => {
    await makeLink().connect();
    link!.close();
    expect(closes).toEqual(["mock OSBiz stopped"]);
    clock.advance(60_000);
    expect(reconnections).toHaveLength(0);
  });

  it("retarget: closes the old flow without a reconnection of its own and connects to the new target at once", async () => {
    const second = tls.createServer({ key: certs.keyPem, cert: certs.certPem }, (socket) => {
      accepted.push(socket);
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => second.listen(0, "127.0.0.1", resolve));
    const secondPort = (second.address() as { port: number }).port;
    try {
      const first = await makeLink().connect();
      const moved = await link!.retarget({ port: secondPort });
      await vi.waitFor(() => expect(accepted).toHaveLength(2));
      expect(first.open).toBe(false);
      expect(closes).toEqual(["trunk configuration changed"]);
      expect(moved).toBe(link!.connection);
      expect((moved as SipConnection).remotePort).toBe(secondPort);
      expect(reconnections).toEqual([moved]);
      // No backoff reconnection left over from the closed flow.
      clock.advance(60_000);
      expect(reconnections).toHaveLength(1);
    } finally {
      link!.close();
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => second.close(resolve));
    }
  });

  it("retarget to a closed port: the error, then the backoff keeps trying; tcp connects without TLS", async () => {
    await makeLink().connect();
    const result = await link!.retarget({ port: 1 });
    expect(result).toBeInstanceOf(Error);
    expect(link!.connection).toBeUndefined();
    expect(clock.pendingTimers).toBeGreaterThan(0);
    const plain = await link!.retarget({ port, transport: "tcp" });
    expect((plain as SipConnection).protocol).toBe("TCP");
  });

  it("moveTo: a new connection from another local address becomes current; the old one's close is no loss", async () => {
    const first = await makeLink().connect();
    const { connection, old } = await link!.moveTo("127.0.0.2");
    expect(old).toBe(first);
    expect(connection.localAddress).toBe("127.0.0.2");
    expect(link!.connection).toBe(connection);
    first.close("public address changed");
    expect(closes).toEqual(["public address changed"]);
    clock.advance(60_000);
    expect(reconnections).toHaveLength(0);
    expect(link!.connection).toBe(connection);
  });
});
