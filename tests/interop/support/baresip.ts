import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { installed } from "../../support/debian-package.js";
import { toneWav } from "../../support/tone-wav.js";
import { Peer } from "./process.js";

export const hasBaresip = installed("baresip", ["-h"]);

/**
 * A fresh baresip 1.0 config folder for driving it over stdin (stdio + menu modules): a tone
 * of `toneSeconds` as audio source, received audio written to `heard.wav`, one account line.
 * Returns the folder (baresip's `-f`).
 */
export function baresipConfig(options: {
  /** UDP/TCP port baresip listens on (127.0.0.1); 0 for any. */
  port: number;
  /** The accounts line, e.g. `<sip:phone@127.0.0.1>;regint=0;answermode=auto`. */
  account: string;
  /** CA file baresip trusts for TLS. */
  caPath?: string;
  toneSeconds: number;
}): string {
  const dir = mkdtempSync(path.join(tmpdir(), "upe-baresip-"));
  writeFileSync(path.join(dir, "tone.wav"), toneWav(options.toneSeconds));
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
  return dir;
}

/** baresip as a peer, with a 90 s tone as audio source (so RTP flows through the long call). */
export function startBaresip(options: {
  port: number;
  account: string;
  caPath?: string;
  name?: string;
}): Peer & { dir: string; port: number } {
  const dir = baresipConfig({ ...options, toneSeconds: 90 });
  const peer = new Peer(options.name ?? "baresip", "baresip", ["-f", dir, "-t", "170"], { scratchDir: dir });
  return Object.assign(peer, { dir, port: options.port });
}
