import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { registerText, SipTestClient } from "../support/sip-test-client.js";
import { optionsText, startTraceStack, type TraceStack, tempDir } from "../support/trace-stack.js";

const run = promisify(execFile);
const hasTshark = spawnSync("tshark", ["--version"]).status === 0;
if (!hasTshark)
  console.warn("tshark is not installed: the TLS key log capture test is skipped (apt-get install tshark)");

let stack: TraceStack | undefined;
let capture: ChildProcess | undefined;

afterEach(async () => {
  if (capture && capture.exitCode === null) capture.kill("SIGINT");
  capture = undefined;
  await stack?.close();
  stack = undefined;
});

/**
 * A live capture of one TCP port on lo. `-P` prints each packet as it is written, so the
 * test knows what has been captured: a probe connection's SYN proves the capture is live,
 * and a second probe after the traffic proves every earlier packet is in the file.
 */
class LiveCapture {
  private output = "";
  private failure = "";

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on("data", (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      this.failure += chunk.toString();
    });
  }

  /** Starts capturing; null (with the reason) when this machine does not allow it. */
  static async start(port: number, file: string): Promise<LiveCapture | string> {
    const child = spawn("tshark", ["-i", "lo", "-f", `tcp port ${port}`, "-w", file, "-P", "-l"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    capture = child;
    const live = new LiveCapture(child);
    const started = await new Promise<boolean>((resolve) => {
      const check = () => {
        if (live.failure.includes("Capture started")) resolve(true);
      };
      child.stderr!.on("data", check);
      child.once("exit", () => resolve(false));
      child.once("error", () => resolve(false));
    });
    return started ? live : `tshark cannot capture on lo: ${live.failure.trim() || "exited"}`;
  }

  /**
   * Connect to the port until the capture has printed one of those connections' SYN (the
   * first may precede the moment the capture is really live).
   */
  async probe(port: number): Promise<void> {
    for (;;) {
      const socket = net.connect({ host: "127.0.0.1", port });
      await new Promise((resolve) => socket.once("connect", resolve));
      const seen = new RegExp(`\\b${socket.localPort}\\b → ${port}\\b`);
      socket.destroy();
      const deadline = Date.now() + 1000;
      while (Date.now() < deadline) {
        if (seen.test(this.output)) return;
        if (this.child.exitCode !== null) throw new Error(`capture stopped: ${this.failure}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGINT");
    await exited;
  }
}

describe("TLS key log", () => {
  it.skipIf(!hasTshark)(
    "lets tshark decrypt a live capture of the SIP port",
    async (ctx) => {
      const dir = tempDir();
      const keylog = path.join(dir, "keys.log");
      const pcap = path.join(dir, "capture.pcapng");
      stack = await startTraceStack({ keylog });
      const port = stack.ports.tls;
      const live = await LiveCapture.start(port, pcap);
      if (typeof live === "string") {
        console.warn(`${live}: the TLS key log capture test is skipped`);
        ctx.skip();
        return;
      }
      await live.probe(port);

      const client = await SipTestClient.connectTls(port, { ca: stack.ca });
      await client.request(optionsText("keylog-options", client.localPort));
      await client.request(
        registerText({ user: "3919209257", localPort: client.localPort, callId: "keylog-reg" }),
      );
      client.close();
      await live.probe(port);
      await live.stop();

      const decode = (extra: string[]) =>
        run("tshark", [
          "-r",
          pcap,
          // Wireshark 4.0 has no SIP heuristic inside TLS: "Decode As" the TLS port as SIP.
          "-d",
          `tls.port==${port},sip`,
          ...extra,
          "-Y",
          "sip",
          "-T",
          "fields",
          "-e",
          "sip.Method",
          "-e",
          "sip.Status-Code",
          "-e",
          "sip.Call-ID",
        ]);
      const withKeys = (await decode(["-o", `tls.keylog_file:${keylog}`])).stdout.trimEnd().split("\n");
      expect(withKeys).toEqual([
        "OPTIONS\t\tkeylog-options",
        "\t200\tkeylog-options",
        "REGISTER\t\tkeylog-reg",
        "\t200\tkeylog-reg",
      ]);
      // Without the key log the same capture shows no SIP at all.
      expect((await decode([])).stdout.trim()).toBe("");
    },
    60_000,
  );
});
