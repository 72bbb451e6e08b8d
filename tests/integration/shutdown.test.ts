import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { spawnCli } from "../support/cli-process.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";

/**
 * A TLS peer that keeps its connection: it never closes its side, not even after the
 * emulator's FIN (allowHalfOpen), and never reads a close as a reason to go.
 */
function stubbornTlsPeer(port: number, ca: string): Promise<{ socket: tls.TLSSocket; state: PeerState }> {
  return new Promise((resolve, reject) => {
    const state: PeerState = { ended: false, closed: false };
    // A TLSSocket is half-open when the TCP socket it wraps is.
    const tcp = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    const socket = tls.connect({ socket: tcp, ca, servername: "phoneapp.unify.com" });
    socket.on("end", () => {
      state.ended = true;
    });
    socket.on("close", () => {
      state.closed = true;
    });
    socket.once("secureConnect", () => {
      socket.off("error", reject);
      socket.on("error", () => {});
      resolve({ socket, state });
    });
    socket.once("error", reject);
  });
}

interface PeerState {
  /** The emulator's FIN arrived (the peer itself keeps its side open). */
  ended: boolean;
  closed: boolean;
}

/** The emulator is gone from the connection: a FIN or a reset. */
const gone = (s: PeerState) => s.ended || s.closed;

/**
 * A TCP peer that never finishes its TLS handshake: it announces a 16 KiB ClientHello
 * record and trickles a byte of it every 50 ms (no idle timer ever fires). Connected once
 * the kernel has it; the emulator accepts in order, so it holds it once a later
 * connection's handshake is done.
 */
function halfOpenPeer(port: number): Promise<PeerState> {
  return new Promise((resolve, reject) => {
    const state: PeerState = { ended: false, closed: false };
    const socket = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00]));
    const trickle = setInterval(() => {
      if (gone(state)) clearInterval(trickle);
      else socket.write(Buffer.from([0]));
    }, 50);
    // After the connect, an error (a reset at shutdown) only ends the trickle.
    socket.on("error", (err) => {
      clearInterval(trickle);
      reject(err);
    });
    socket.on("end", () => {
      state.ended = true;
    });
    socket.on("close", () => {
      state.closed = true;
      clearInterval(trickle);
    });
    socket.once("connect", () => resolve(state));
  });
}

describe("shutdown", () => {
  it("close() resolves while peers keep their TLS connections and half-open sockets", async () => {
    const e = await startTestEmulator({ shutdownGraceMs: 500 });
    const ca = e.certificates.caCertPem!;
    const sipHalfOpen = await halfOpenPeer(e.ports.sip);
    const httpsHalfOpen = await halfOpenPeer(e.ports.https);
    const sipPeer = await stubbornTlsPeer(e.ports.sip, ca);
    const httpsPeer = await stubbornTlsPeer(e.ports.https, ca);

    await e.close();

    await until(
      () => [sipPeer.state, httpsPeer.state, sipHalfOpen, httpsHalfOpen].every(gone),
      "every peer's connection to be closed",
    );
  });

  it("ends a live call with BYE before closing the PBX's connection", async () => {
    const e: EmulatorHandle = await startTestEmulator({ shutdownGraceMs: 2000 });
    const pbx = await PbxTestUa.connect(e, TRUNK.username, TRUNK.password);
    expect((await pbx.register()).status).toBe(200);
    const invite = pbx.sendInvite("+4923026672131", sdpOffer(40_000));
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);

    await e.close();
    await pbx.client.waitClosed();
    // Collected in arrival order up to the close: the BYE came over the open connection.
    expect(
      pbx.client.received.some(
        (m) => m.kind === "request" && m.method === "BYE" && m.callId === invite.callId,
      ),
    ).toBe(true);
  });

  it("a start that fails on a busy SIP port cleans up what it started and rejects", async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    try {
      const port = (busy.address() as net.AddressInfo).port;
      await expect(startTestEmulator({ sip: { port } })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      busy.close();
    }
  });

  it("the CLI exits 0 on SIGTERM while a peer holds its TLS connection", async () => {
    const cli = spawnCli([
      ...["--sip-port", "0", "--https-port", "0", "--stun-port", "off", "--bind", "127.0.0.1"],
      ...["--shutdown-grace", "1"],
    ]);
    const { child, dir, exited } = cli;
    let peers: PeerState[] = [];
    try {
      const { sip, https } = await cli.ready();
      const ca = readFileSync(path.join(dir, "certs", "ca.pem"), "utf8");
      const halfOpen = await halfOpenPeer(sip);
      const sipPeer = await stubbornTlsPeer(sip, ca);
      const httpsPeer = await stubbornTlsPeer(https, ca);
      peers = [sipPeer.state, httpsPeer.state, halfOpen];
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      await until(() => peers.every(gone), "the peers to see the process go");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
