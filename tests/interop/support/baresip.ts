import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { installed, Peer } from "./process.js";

export const hasBaresip = installed("baresip", ["-h"]);

/** `seconds` of a 440 Hz tone, 8 kHz 16-bit mono PCM (ausine only runs at 48 kHz). */
function toneWav(file: string, seconds: number): void {
  const samples = 8000 * seconds;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write("RIFF", 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(16000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++)
    wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), 44 + i * 2);
  writeFileSync(file, wav);
}

/**
 * baresip 1.0 driven over stdin (stdio + menu modules): a 90 s tone as audio source (so RTP
 * flows through the long call), received audio written to `heard.wav`.
 */
export function startBaresip(options: {
  /** UDP/TCP port baresip listens on (127.0.0.1). */
  port: number;
  /** The accounts line, e.g. `<sip:phone@127.0.0.1>;regint=0;answermode=auto`. */
  account: string;
  caPath?: string;
  name?: string;
}): Peer & { dir: string; port: number } {
  const dir = mkdtempSync(path.join(tmpdir(), "upe-baresip-"));
  toneWav(path.join(dir, "tone.wav"), 90);
  writeFileSync(
    path.join(dir, "config"),
    [
      "poll_method epoll",
      `sip_listen 127.0.0.1:${options.port}`,
      ...(options.caPath ? [`sip_cafile ${options.caPath}`] : []),
      `audio_source aufile,${path.join(dir, "tone.wav")}`,
      `audio_player aufile,${path.join(dir, "heard.wav")}`,
      "module_path /usr/lib/baresip/modules",
      "module g711.so",
      "module aufile.so",
      "module menu.so",
      "module stdio.so",
      "module_app account.so",
      "",
    ].join("\n"),
  );
  writeFileSync(path.join(dir, "accounts"), `${options.account}\n`);
  const peer = new Peer(options.name ?? "baresip", "baresip", ["-f", dir, "-t", "170"], { scratchDir: dir });
  return Object.assign(peer, { dir, port: options.port });
}
