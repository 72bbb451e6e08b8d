import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCertificateAuthority,
  issueServerCertificate,
  loadTlsFiles,
  TlsFileError,
} from "../../../src/certs/index.js";

let dir: string;
const ca = createCertificateAuthority();
const server = issueServerCertificate(ca, { hosts: ["localhost"] });
const other = issueServerCertificate(ca, { hosts: ["other.test"] });

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function failure(load: () => unknown): TlsFileError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(TlsFileError);
    return error as TlsFileError;
  }
  throw new Error("loadTlsFiles did not throw");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "upe-tls-files-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadTlsFiles", () => {
  it("returns the PEMs of a matching certificate, key and CA", async () => {
    const loaded = loadTlsFiles({
      certPath: file("cert.pem", server.certPem + ca.certPem),
      keyPath: file("key.pem", server.keyPem),
      caPath: file("ca.pem", ca.certPem),
    });
    expect(loaded).toEqual({
      certPem: server.certPem + ca.certPem,
      keyPem: server.keyPem,
      caPem: ca.certPem,
    });
  });

  it("omits caPem when no CA path is given", async () => {
    const loaded = loadTlsFiles({
      certPath: file("cert.pem", server.certPem),
      keyPath: file("key.pem", server.keyPem),
    });
    expect(loaded).toEqual({ certPem: server.certPem, keyPem: server.keyPem });
  });

  it("names a missing file", async () => {
    const missing = join(dir, "nope.pem");
    const error = failure(() => loadTlsFiles({ certPath: missing, keyPath: file("key.pem", server.keyPem) }));
    expect(error.path).toBe(missing);
    expect(error.message).toContain(`cannot read TLS certificate file ${missing}`);
  });

  it("names a certificate file that is not PEM", async () => {
    const certPath = file("cert.der", "\u0030\u0082 binary junk");
    const error = failure(() => loadTlsFiles({ certPath, keyPath: file("key.pem", server.keyPem) }));
    expect(error.path).toBe(certPath);
    expect(error.message).toMatch(/is not PEM \(no "-----BEGIN CERTIFICATE-----" block found\)/);
  });

  it("names a key file that holds a certificate instead of a key", async () => {
    const keyPath = file("swapped.pem", server.certPem);
    const error = failure(() => loadTlsFiles({ certPath: file("cert.pem", server.certPem), keyPath }));
    expect(error.path).toBe(keyPath);
    expect(error.message).toMatch(/private key file .* is not PEM/);
  });

  it("names a PEM block whose content is corrupt", async () => {
    const broken = server.certPem.replace(/\n[A-Za-z0-9+/]{20}/, "\n!!!!!!!!!!!!!!!!!!!!");
    const certPath = file("broken.pem", broken);
    const error = failure(() => loadTlsFiles({ certPath, keyPath: file("key.pem", server.keyPem) }));
    expect(error.path).toBe(certPath);
    expect(error.message).toContain("does not hold a valid certificate");
  });

  it("names the key file when the key does not belong to the certificate", async () => {
    const keyPath = file("other-key.pem", other.keyPem);
    const error = failure(() => loadTlsFiles({ certPath: file("cert.pem", server.certPem), keyPath }));
    expect(error.path).toBe(keyPath);
    expect(error.message).toContain("does not match the certificate");
  });

  it("names a CA file that is not PEM", async () => {
    const caPath = file("ca.txt", "hello");
    const error = failure(() =>
      loadTlsFiles({
        certPath: file("cert.pem", server.certPem),
        keyPath: file("key.pem", server.keyPem),
        caPath,
      }),
    );
    expect(error.path).toBe(caPath);
    expect(error.message).toContain("TLS CA certificate file");
  });
});
