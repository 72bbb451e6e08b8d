import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TlsKeyLog } from "../../../src/traces/tls-key-log.js";

const dir = () => mkdtempSync(path.join(tmpdir(), "upe-keylog-"));

describe("TlsKeyLog", () => {
  it("appends key log lines to a 0600 file, one per line", () => {
    const file = path.join(dir(), "keys.log");
    const log = new TlsKeyLog(file);
    log.write(Buffer.from("CLIENT_RANDOM aa bb\n"));
    log.write(Buffer.from("SERVER_HANDSHAKE_TRAFFIC_SECRET cc dd"));
    log.close();
    expect(readFileSync(file, "utf8")).toBe("CLIENT_RANDOM aa bb\nSERVER_HANDSHAKE_TRAFFIC_SECRET cc dd\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("appends to an existing file and tightens its mode to 0600", () => {
    const file = path.join(dir(), "keys.log");
    writeFileSync(file, "CLIENT_RANDOM 00 11\n", { mode: 0o644 });
    const log = new TlsKeyLog(file);
    log.write(Buffer.from("CLIENT_RANDOM 22 33\n"));
    log.close();
    log.write(Buffer.from("ignored after close\n"));
    expect(readFileSync(file, "utf8")).toBe("CLIENT_RANDOM 00 11\nCLIENT_RANDOM 22 33\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
