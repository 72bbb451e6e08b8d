import fs from "node:fs";

/**
 * Appends the TLS secrets of every handshake in NSS key log format (what SSLKEYLOGFILE
 * produces), so Wireshark/tshark can decrypt a capture of the SIP port
 * (`-o tls.keylog_file:<path>`). Written synchronously: the line is on disk before the
 * handshake completes, so a live capture can be decrypted as it runs. The file holds keys:
 * created 0600 and forced to 0600 if it existed.
 */
export class TlsKeyLog {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, "a", 0o600);
    fs.fchmodSync(this.fd, 0o600);
  }

  /** One line from a `keylog` event (Node includes the trailing newline). */
  write(line: Buffer): void {
    if (this.fd === undefined) return;
    fs.writeSync(this.fd, line);
    if (line[line.length - 1] !== 0x0a) fs.writeSync(this.fd, "\n");
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
