import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { installed } from "../../support/debian-package.js";
import { toneWav } from "../../support/tone-wav.js";
import { Peer } from "./process.js";

const CONFIGS = fileURLToPath(new URL("../configs/", import.meta.url));

export const hasLinphone = installed("linphone-daemon", ["--help"]);

export type MediaEncryption = "none" | { srtp: "mandatory" | "best-effort" };

/**
 * linphone-daemon (linphone-cli 5.1) driven over stdin: one command at a time, each answered
 * by a `Status: Ok|Error` block ended by the next `daemon-linphone>` prompt.
 */
export class LinphoneDaemon {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly peer: Peer,
    readonly home: string,
  ) {}

  static async start(options: { caPath: string; encryption?: MediaEncryption }): Promise<LinphoneDaemon> {
    const home = mkdtempSync(path.join(tmpdir(), "upe-linphone-"));
    // liblinphone opens its call-log database there and fails the core without it.
    mkdirSync(path.join(home, ".local", "share", "linphone"), { recursive: true });
    const encryption = options.encryption ?? "none";
    const values: Record<string, string | number> = {
      CA: options.caPath,
      ENCRYPTION: encryption === "none" ? "none" : "srtp",
      ENCRYPTION_MANDATORY: encryption !== "none" && encryption.srtp === "mandatory" ? 1 : 0,
    };
    const rc = readFileSync(path.join(CONFIGS, "linphonerc"), "utf8").replace(
      /@([A-Z_]+)@/g,
      (w, k: string) => (k in values ? String(values[k]) : w),
    );
    writeFileSync(path.join(home, "linphonerc"), rc);
    writeFileSync(path.join(home, "tone.wav"), toneWav(30));
    const peer = new Peer(
      "linphone-daemon",
      "linphone-daemon",
      ["--config", path.join(home, "linphonerc"), "--log", path.join(home, "linphone.log")],
      { cwd: home, env: { ...process.env, HOME: home }, scratchDir: home },
    );
    const daemon = new LinphoneDaemon(peer, home);
    await daemon.command("version");
    return daemon;
  }

  /** Runs one command; resolves with its answer (throws on `Status: Error` unless `allowError`). */
  command(line: string, allowError = false): Promise<string> {
    const run = async () => {
      const from = this.peer.mark();
      this.peer.send(line);
      const [answer] = await this.peer.waitFor(
        /Status: (?:Ok|Error)[\s\S]*?(?=daemon-linphone>)/,
        `an answer to "${line}"`,
        30_000,
        from,
      );
      if (!allowError && answer.startsWith("Status: Error"))
        throw new Error(`linphone-daemon: ${line} → ${answer.trim()}\n${this.logTail()}`);
      return answer;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  /**
   * No sound card here, so linphone sends no RTP by itself: play a tone into the call
   * (the call player feeds the audio stream's encoder).
   */
  async playTone(callId: string): Promise<void> {
    await this.command(`incall-player-start ${path.join(this.home, "tone.wav")} ${callId}`);
  }

  /** A field of a command's answer, e.g. `field(await command("call-status 1"), "State")`. */
  static field(answer: string, name: string): string | undefined {
    return answer.match(new RegExp(`^${name}: (.*)$`, "m"))?.[1]?.trim();
  }

  /** Polls `command` until its answer matches `pattern` (bounded). */
  async waitForAnswer(line: string, pattern: RegExp, what: string, limitMs = 30_000): Promise<string> {
    const deadline = Date.now() + limitMs;
    let last = "";
    for (let round = 0; round < 1_000; round++) {
      last = await this.command(line, true);
      if (pattern.test(last)) return last;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`linphone-daemon: ${what}; last "${line}" → ${last.trim()}\n${this.logTail()}`);
  }

  logTail(chars = 4_000): string {
    try {
      return readFileSync(path.join(this.home, "linphone.log"), "utf8").slice(-chars);
    } catch {
      return this.peer.tail(chars);
    }
  }

  async stop(): Promise<void> {
    if (!this.peer.exited) this.peer.send("quit");
    await this.peer.stop(3_000);
  }
}
