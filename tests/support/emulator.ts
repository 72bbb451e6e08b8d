import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureCertificates } from "../../src/certs/index.js";
import { type EmulatorHandle, type StartOptions, startEmulator } from "../../src/index.js";

/**
 * One CA per test file, generated once before any emulator starts: parallel starts on an
 * empty certs dir would each generate (and race on) their own set.
 */
const sharedCerts = mkdtempSync(path.join(tmpdir(), "upe-certs-"));
const certsReady = ensureCertificates({
  dir: sharedCerts,
  hosts: ["phoneapp.unify.com", "localhost", "127.0.0.1", "::1"],
});

export const TRUNK = { username: "3919209257", password: "s3cret-Trunk-1" };
export const OPEN_TRUNK = { username: "1000000001", password: "unused-password-1" };

export const DEFAULT_SEED = `
tenants:
  - name: Acme
    flavour: openscape
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-1
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
      - systemId: osbiz-open
        trunk: { username: "${OPEN_TRUNK.username}", password: "${OPEN_TRUNK.password}", auth: false }
    users:
      - { emailAddress: a@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", phoneNumber: "+4923026672131", system: osbiz-1 }
`;

export function writeTemp(name: string, content: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "upe-test-"));
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** An emulator on 127.0.0.1 with every port picked by the OS, in memory, seeded. */
export async function startTestEmulator(
  options: StartOptions & { seedText?: string } = {},
): Promise<EmulatorHandle> {
  const { seedText, ...rest } = options;
  await certsReady;
  return startEmulator({
    bind: "127.0.0.1",
    host: "127.0.0.1",
    ephemeral: true,
    certsDir: sharedCerts,
    certHosts: ["phoneapp.unify.com", "localhost", "127.0.0.1", "::1"],
    logLevel: "silent",
    seed: writeTemp("seed.yaml", seedText ?? DEFAULT_SEED),
    httpsPort: 0,
    stunPort: 0,
    ...rest,
    sip: { port: 0, ...rest.sip },
  });
}
