import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { installed, requirePackage } from "../support/debian-package.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { adminApi } from "./support/journal.js";

const ready = requirePackage(installed("sngrep", ["-V"]), "sngrep", "reading the pcap export with sngrep");

let emulator: EmulatorHandle | undefined;
let ua: PbxTestUa | undefined;

afterAll(async () => {
  ua?.close();
  await emulator?.close();
});

/**
 * Runs `sngrep -N -I <pcap>` (no interface, read the file) and returns the dialog count it
 * prints last (`\rDialog count: N`).
 */
function dialogs(pcap: string, ...args: string[]): number {
  const [flags, match] = args[0] === "-c" ? [["-c"], args.slice(1)] : [[], args];
  const out = spawnSync("sngrep", ["-N", "-F", ...flags, "-I", pcap, ...match], {
    encoding: "utf8",
    timeout: 15_000,
  });
  if (out.status !== 0) throw new Error(`sngrep exited ${out.status}: ${out.stderr}`);
  const counts = [...out.stdout.matchAll(/Dialog count: (\d+)/g)].map((m) => Number(m[1]));
  if (counts.length === 0) throw new Error(`sngrep printed no dialog count: ${JSON.stringify(out.stdout)}`);
  return counts.at(-1)!;
}

describe.skipIf(!ready)(
  "sngrep 1.6 reads the emulator's pcap export (a second reader besides tshark)",
  () => {
    it("counts the trace's dialogs: the REGISTER and the two calls", async () => {
      emulator = await startTestEmulator();
      const api = adminApi(emulator);
      ua = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
      expect((await ua.register()).status).toBe(200);
      const sipCallIds: string[] = [];
      for (let i = 0; i < 2; i++) {
        const invite = ua.sendInvite("+4923026672131", sdpOffer(40_000 + i * 2));
        const answered = await ua.response(invite.callId);
        expect(answered.status).toBe(200);
        ua.ack(answered, invite);
        ua.inDialog("BYE", answered);
        expect((await ua.response(invite.callId, 200, "BYE")).status).toBe(200);
        sipCallIds.push(invite.callId);
      }

      const dir = mkdtempSync(path.join(tmpdir(), "upe-sngrep-"));
      const file = path.join(dir, "trace.pcap");
      try {
        writeFileSync(file, await api.pcap());
        expect(dialogs(file)).toBe(3);
        expect(dialogs(file, "-c")).toBe(2);
        // A match expression on the first call's Call-ID keeps that call's dialog only.
        expect(dialogs(file, "-c", sipCallIds[0]!)).toBe(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 30_000);
  },
);
