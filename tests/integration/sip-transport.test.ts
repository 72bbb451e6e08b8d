import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { SipTestClient } from "../support/sip-test-client.js";

let emulator: EmulatorHandle | undefined;
const clients: SipTestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await emulator?.close();
  emulator = undefined;
});

async function connect(e: EmulatorHandle): Promise<SipTestClient> {
  const c = await SipTestClient.connectTls(e.ports.sip, { ca: e.certificates.caCertPem! });
  clients.push(c);
  return c;
}

function options(port: number, id: string, extra: { headers?: string[]; body?: string } = {}): string {
  const body = extra.body ?? "";
  return [
    "OPTIONS sip:phoneapp.unify.com SIP/2.0",
    `Via: SIP/2.0/TLS 127.0.0.1:${port};branch=z9hG4bK${id}`,
    "Max-Forwards: 70",
    `From: <sip:probe@example.test>;tag=${id}`,
    "To: <sip:phoneapp.unify.com>",
    `Call-ID: ${id}`,
    "CSeq: 1 OPTIONS",
    ...(extra.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

describe("SIP over TLS transport", () => {
  it("answers a CRLFCRLF keep-alive ping with CRLF (RFC 5626)", async () => {
    emulator = await startTestEmulator();
    const c = await connect(emulator);
    c.write("\r\n\r\n");
    await c.waitPongs(1);
    expect((await c.request(options(c.localPort, "ka1"))).status).toBe(200);
  });

  it("frames pipelined messages and messages split into single bytes", async () => {
    emulator = await startTestEmulator();
    const c = await connect(emulator);
    c.write(options(c.localPort, "p1") + options(c.localPort, "p2"));
    const text = options(c.localPort, "p3");
    for (const ch of text) c.write(ch);
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const m = await c.waitFor((x): x is typeof x => x.kind === "response");
      ids.add(m.callId);
    }
    expect(ids).toEqual(new Set(["p1", "p2", "p3"]));
  });

  it("answers a message over the size limit with 513 and closes", async () => {
    emulator = await startTestEmulator({ sip: { port: 0, maxMessageSize: 4096 } });
    const c = await connect(emulator);
    c.write(
      options(c.localPort, "big", {
        headers: ["Content-Type: application/sdp"],
        body: "v=0\r\n".repeat(2000),
      }),
    );
    const res = await c.waitFor((x): x is Extract<typeof x, { kind: "response" }> => x.kind === "response");
    expect(res.status).toBe(513);
    await c.waitClosed();
  });

  it("closes a connection whose message never completes (slowloris)", async () => {
    emulator = await startTestEmulator({ sip: { port: 0, partialMessageTimeoutMs: 300 } });
    const c = await connect(emulator);
    c.write("OPTIONS sip:phoneapp.unify.com SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1");
    await c.waitClosed();
  });

  it("closes a connection idle for longer than the idle timeout", async () => {
    emulator = await startTestEmulator({ sip: { port: 0, idleTimeoutMs: 300 } });
    const c = await connect(emulator);
    await c.waitClosed();
  });

  it("refuses connections beyond the per-source limit and serves the others", async () => {
    emulator = await startTestEmulator({ sip: { port: 0, maxConnectionsPerSource: 3 } });
    const ok = await Promise.all([connect(emulator), connect(emulator), connect(emulator)]);
    await expect(connect(emulator)).rejects.toThrow();
    for (const c of ok) expect((await c.request(options(c.localPort, `lim${c.localPort}`))).status).toBe(200);
  });

  it("serves many concurrent connections", async () => {
    emulator = await startTestEmulator();
    const many = await Promise.all(Array.from({ length: 50 }, () => connect(emulator!)));
    const answers = await Promise.all(many.map((c, i) => c.request(options(c.localPort, `many${i}`))));
    expect(answers.every((r) => r.status === 200)).toBe(true);
  });

  it("stamps received beside rport even when the Via host is the source address (RFC 3581 §4)", async () => {
    emulator = await startTestEmulator();
    const c = await connect(emulator);
    const text = options(c.localPort, "rp1").replace("branch=z9hG4bKrp1", "branch=z9hG4bKrp1;rport");
    const res = await c.request(text);
    expect(res.headers.get("via")).toBe(
      `SIP/2.0/TLS 127.0.0.1:${c.localPort};branch=z9hG4bKrp1;rport=${c.localPort};received=127.0.0.1`,
    );
  });

  it("refuses TLS versions outside the configured range", async () => {
    emulator = await startTestEmulator({
      sip: { port: 0, tls: { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" } },
    });
    const tls = await import("node:tls");
    const attempt = new Promise<void>((resolve, reject) => {
      const s = tls.connect({
        host: "127.0.0.1",
        port: emulator!.ports.sip,
        rejectUnauthorized: false,
        maxVersion: "TLSv1.2",
      });
      s.once("secureConnect", () => {
        s.destroy();
        reject(new Error("TLS 1.2 handshake should have failed"));
      });
      s.once("error", () => resolve());
    });
    await attempt;
    const c = await connect(emulator);
    expect((c.socket as import("node:tls").TLSSocket).getProtocol()).toBe("TLSv1.3");
  });
});
