import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { syncDirectory, writeFileAtomic } from "./atomic-file.js";
import { type CertificateAndKey, createCertificateAuthority } from "./certificate-authority.js";
import { certificateFingerprint } from "./certificate-fingerprint.js";
import {
  type InspectedCertificate,
  inspectCertificate,
  isCurrentlyValid,
  isIssuedBy,
  keyMatches,
} from "./certificate-inspection.js";
import { normalizeHosts } from "./host-names.js";
import { issueServerCertificate } from "./server-certificate.js";
import { DAY_MS } from "./x509-template.js";

export const CERTIFICATE_FILE_NAMES = {
  caCert: "ca.pem",
  caKey: "ca-key.pem",
  cert: "server.pem",
  key: "server-key.pem",
  ecCert: "server-ec.pem",
  ecKey: "server-ec-key.pem",
} as const;

export interface CertificateSet {
  readonly dir: string;
  readonly caCertPath: string;
  readonly caKeyPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caCertPem: string;
  /** Contents of server.pem: the server certificate followed by the CA certificate. */
  readonly certPem: string;
  readonly keyPem: string;
  /**
   * The same certificate with an ECDSA P-256 key (server-ec.pem + CA), served beside the RSA
   * one: clients that offer ECDSA get a handshake several times cheaper; the rest get RSA.
   */
  readonly ecCertPath: string;
  readonly ecKeyPath: string;
  readonly ecCertPem: string;
  readonly ecKeyPem: string;
  /** "AB:CD:…" SHA-256 of the CA certificate, to compare with what the PBX shows. */
  readonly caFingerprintSha256: string;
  /** Hosts in the server certificate's subjectAltName (may be more than were asked for). */
  readonly hosts: string[];
  /** A new CA was generated: it has to be (re)imported into the PBX. */
  readonly created: boolean;
  /** A new server certificate was written (with a new CA, or from the existing one). */
  readonly serverIssued: boolean;
  /** Expiry of the server certificate. */
  readonly notAfter: Date;
}

const KEY_MODE = 0o600;
const CERT_MODE = 0o644;
/** A certificate expiring within a day is renewed now rather than in the middle of a run. */
const RENEWAL_MARGIN_MS = DAY_MS;

type Paths = Record<keyof typeof CERTIFICATE_FILE_NAMES, string>;
type FileContents = Partial<Record<keyof typeof CERTIFICATE_FILE_NAMES, string>>;
interface LoadedCa extends CertificateAndKey {
  readonly inspected: InspectedCertificate;
}

/**
 * Makes `dir` hold a usable CA and server certificate for `hosts`: reuses a valid set,
 * issues a new server certificate from the existing CA when only that is unusable, and
 * creates everything otherwise (or with `force`). Every file is replaced atomically and
 * a set left half-written by a crash fails the checks below, so the next call repairs it.
 */
export async function ensureCertificates(options: {
  dir: string;
  hosts: string[];
  force?: boolean;
}): Promise<CertificateSet> {
  const hosts = normalizeHosts(options.hosts);
  const dir = resolve(options.dir);
  await ensureDirectory(dir);
  const paths = Object.fromEntries(
    Object.entries(CERTIFICATE_FILE_NAMES).map(([key, name]) => [key, join(dir, name)]),
  ) as Paths;
  const files = options.force ? {} : await readExisting(paths);

  let ca = usableCa(files);
  const created = ca === undefined;
  if (ca === undefined) {
    const fresh = createCertificateAuthority();
    await writeFileAtomic(paths.caKey, fresh.keyPem, KEY_MODE);
    await writeFileAtomic(paths.caCert, fresh.certPem, CERT_MODE);
    ca = { ...fresh, inspected: inspectCertificate(fresh.certPem) };
  }

  const rsa = await ensureServer(
    created ? undefined : usableServer(files.cert, files.key, ca, hosts),
    { cert: paths.cert, key: paths.key },
    () => issueServerCertificate(ca, { hosts }),
    ca,
  );
  const ec = await ensureServer(
    created ? undefined : usableServer(files.ecCert, files.ecKey, ca, hosts),
    { cert: paths.ecCert, key: paths.ecKey },
    () => issueServerCertificate(ca, { hosts, keyType: "ec" }),
    ca,
  );
  if (rsa.issued || ec.issued) await syncDirectory(dir);
  const { certPem, keyPem } = rsa;
  const server = inspectCertificate(certPem);
  return {
    dir,
    caCertPath: paths.caCert,
    caKeyPath: paths.caKey,
    certPath: paths.cert,
    keyPath: paths.key,
    caCertPem: ca.certPem,
    certPem,
    keyPem,
    ecCertPath: paths.ecCert,
    ecKeyPath: paths.ecKey,
    ecCertPem: ec.certPem,
    ecKeyPem: ec.keyPem,
    caFingerprintSha256: certificateFingerprint(ca.certPem),
    hosts: server.hosts,
    created,
    serverIssued: rsa.issued || ec.issued,
    notAfter: server.notAfter,
  };
}

async function ensureDirectory(dir: string): Promise<void> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error(`certificates path ${dir} is not a directory`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  }
}

async function readExisting(paths: Paths): Promise<FileContents> {
  const files: FileContents = {};
  for (const [key, path] of Object.entries(paths) as [keyof Paths, string][]) {
    try {
      files[key] = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new Error(`cannot read certificate file ${path}: ${(error as Error).message}`);
    }
  }
  return files;
}

function usableCa(files: FileContents): LoadedCa | undefined {
  if (files.caCert === undefined || files.caKey === undefined) return undefined;
  const inspected = tryInspect(files.caCert);
  if (!inspected?.isCa || !isCurrentlyValid(inspected, RENEWAL_MARGIN_MS)) return undefined;
  if (!keyMatches(inspected, files.caKey)) return undefined;
  return { certPem: files.caCert, keyPem: files.caKey, inspected };
}

function usableServer(
  certPem: string | undefined,
  keyPem: string | undefined,
  ca: LoadedCa,
  hosts: string[],
): CertificateAndKey | undefined {
  if (certPem === undefined || keyPem === undefined) return undefined;
  const inspected = tryInspect(certPem);
  if (!inspected || !isCurrentlyValid(inspected, RENEWAL_MARGIN_MS)) return undefined;
  if (!keyMatches(inspected, keyPem) || !isIssuedBy(inspected, ca.inspected)) return undefined;
  if (!hosts.every((host) => inspected.hosts.includes(host))) return undefined;
  return { certPem, keyPem };
}

/** The usable pair as it is, or a new one (leaf + CA) written to `paths`. */
async function ensureServer(
  existing: CertificateAndKey | undefined,
  paths: { cert: string; key: string },
  issue: () => CertificateAndKey,
  ca: LoadedCa,
): Promise<CertificateAndKey & { issued: boolean }> {
  if (existing) return { ...existing, issued: false };
  const issued = issue();
  const pair = { certPem: issued.certPem + ca.certPem, keyPem: issued.keyPem };
  await writeFileAtomic(paths.key, pair.keyPem, KEY_MODE);
  await writeFileAtomic(paths.cert, pair.certPem, CERT_MODE);
  return { ...pair, issued: true };
}

function tryInspect(pem: string): InspectedCertificate | undefined {
  try {
    return inspectCertificate(pem);
  } catch {
    return undefined;
  }
}
