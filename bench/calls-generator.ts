/**
 * The call benchmark's load generator, forked by bench/calls-bench.ts: the PBX side of
 * the trunk in its own process. One TLS connection registered with digest, a Dialer on
 * it, one shared UDP socket for RTP. Takes one command at a time over IPC.
 */
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { connectTls } from "./bench-connection.js";
import { CallConnection } from "./calls-connection.js";
import { Dialer } from "./calls-dialer.js";
import { HeldCalls } from "./calls-held.js";
import type { CallsCommand, CallsEvent } from "./calls-protocol.js";
import { runRate } from "./calls-rate.js";
import { runRtp } from "./calls-rtp.js";
import type { SipLite } from "./calls-sip.js";
import { digestAuthorization, digestHa1 } from "./digest-client.js";
import { registerText } from "./sip-wire.js";

/** A request without its final response after this long fails. */
const TIMEOUT_MS = 5_000;
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

interface Opened {
  readonly connection: CallConnection;
  readonly dialer: Dialer;
  readonly held: HeldCalls;
  readonly rtp: Socket;
}

let opened: Opened | undefined;

const emit = (event: CallsEvent): void => {
  process.send?.(event);
};
const mark = (at: "start" | "end"): void => emit({ type: "mark", at });

/** REGISTER → 401 → REGISTER with Authorization (RFC 3261 §22.2) → 200. */
function register(connection: CallConnection, user: string, password: string): Promise<void> {
  const callId = `reg-${randomBytes(6).toString("hex")}`;
  const tag = randomBytes(4).toString("hex");
  const fields = { user, port: connection.localPort, tag, callId };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`REGISTER: no answer within ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    );
    connection.on(callId, (response: SipLite) => {
      if (response.status < 200) return;
      const nonce = /nonce="([^"]+)"/.exec(response.head)?.[1];
      if (response.status === 401 && response.cseq === 1 && nonce) {
        const authorization = digestAuthorization(user, digestHa1(user, password), nonce, 1, tag);
        connection.write(registerText({ ...fields, branch: `${tag}2`, cseq: 2, authorization }));
        return;
      }
      clearTimeout(timer);
      connection.off(callId);
      if (response.status === 200) resolve();
      else reject(new Error(`REGISTER answered ${response.head.split("\r\n", 1)[0]}`));
    });
    connection.write(registerText({ ...fields, branch: `${tag}1`, cseq: 1 }));
  });
}

async function open(cmd: Extract<CallsCommand, { type: "open" }>): Promise<CallsEvent> {
  const connection = new CallConnection(await connectTls({ port: cmd.sipPort, timeoutMs: TIMEOUT_MS }));
  await register(connection, cmd.trunkUser, cmd.trunkPassword);
  const rtp = createSocket("udp4");
  await new Promise<void>((resolve) => rtp.bind(0, "127.0.0.1", resolve));
  rtp.setRecvBufferSize(SOCKET_BUFFER_BYTES);
  rtp.setSendBufferSize(SOCKET_BUFFER_BYTES);
  const dialer = new Dialer(connection, { trunkUser: cmd.trunkUser, to: cmd.callee, timeoutMs: TIMEOUT_MS });
  const held = new HeldCalls(dialer, rtp.address().port);
  opened = { connection, dialer, held, rtp };
  return { type: "opened", result: { rtpPort: rtp.address().port } };
}

async function handle(cmd: CallsCommand): Promise<CallsEvent | undefined> {
  if (cmd.type === "open") return open(cmd);
  if (cmd.type === "exit") {
    opened?.dialer.close();
    opened?.connection.close();
    opened?.rtp.close();
    process.exit(0);
  }
  if (!opened) throw new Error(`"${cmd.type}" before "open"`);
  const { connection, dialer, held, rtp } = opened;
  switch (cmd.type) {
    case "rate":
      return { type: "rate", result: await runRate(dialer, cmd.spec, mark) };
    case "establish":
      return { type: "establish", result: await held.establish(cmd.calls, cmd.window) };
    case "rtp":
      return { type: "rtp", result: await runRtp(rtp, held.up, cmd.spec, mark) };
    case "hangup": {
      const { hungUp, failures } = await held.hangUp(cmd.window);
      for (const [kind, n] of Object.entries(held.dropped)) failures[`dropped while held: ${kind}`] = n;
      const { serverRequests, strays } = connection;
      return { type: "hangup", result: { hungUp, failures, serverRequests, strays } };
    }
  }
}

process.on("message", (cmd: CallsCommand) => {
  handle(cmd).then(
    (event) => {
      if (event) emit(event);
    },
    (error: unknown) => emit({ type: "error", message: String((error as Error)?.stack ?? error) }),
  );
});
process.on("disconnect", () => process.exit(0));
