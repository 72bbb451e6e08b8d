import { ensureCertificates } from "../certs/index.js";
import { optionsFromSources, resolveConfig } from "../config/index.js";
import type { CommandLine } from "./parse-command-line.js";

/** `unify-phone-emulator certs [--force]`: make sure the CA and server cert exist. */
export async function certsCommand(commandLine: CommandLine): Promise<void> {
  const config = resolveConfig(optionsFromSources(process.env, commandLine.flags));
  const set = await ensureCertificates({
    dir: config.certsDir,
    hosts: [...config.certHosts],
    force: commandLine.extra.force === true,
  });
  process.stdout.write(
    [
      `${set.created ? "generated a new CA and server certificate" : set.serverIssued ? "issued a new server certificate from the existing CA" : "reused the certificates"} in ${set.dir}`,
      `CA certificate: ${set.caCertPath}`,
      `CA SHA-256 fingerprint: ${set.caFingerprintSha256}`,
      `server certificate for: ${set.hosts.join(", ")} (valid until ${set.notAfter.toISOString()})`,
      "",
    ].join("\n"),
  );
}
