import type { EmulatorHandle } from "../app.js";

/** The startup banner (SPEC §3.1): where everything listens, and a ready line last. */
export function banner(handle: EmulatorHandle, extra: { adminToken?: string | null } = {}): string {
  const c = handle.config;
  const p = handle.ports;
  const lines = [
    "unify-phone-emulator",
    `  SIP (TLS)      ${c.bind}:${p.sip}   ${handle.urls.sip}`,
    ...(p.sipTcp === null ? [] : [`  SIP (TCP)      ${c.bind}:${p.sipTcp}   (debug listener)`]),
    ...(p.sipUdp === null ? [] : [`  SIP (UDP)      ${c.bind}:${p.sipUdp}   (debug listener)`]),
    `  HTTPS          ${handle.urls.https}   (/healthz, /readyz)`,
    ...(handle.urls.http === null ? [] : [`  HTTP           ${handle.urls.http}`]),
    `  STUN (UDP)     ${p.stun === null ? "off" : `${c.bind}:${p.stun}`}`,
    `  advertised     host ${c.host}, domain ${c.domain}`,
    `  data           ${c.ephemeral ? "in memory (ephemeral)" : c.dataDir}`,
    ...(handle.certificates.caCertPath
      ? [
          `  CA certificate ${handle.certificates.caCertPath}  (import into the PBX)`,
          `  CA SHA-256     ${handle.certificates.caFingerprint}`,
        ]
      : ["  certificate    user-provided (--cert-file)"]),
    ...(extra.adminToken ? [`  admin token    ${extra.adminToken}  (shown once; stored hashed)`] : []),
    `ready: sip=${p.sip} https=${p.https}${p.http === null ? "" : ` http=${p.http}`} stun=${p.stun ?? "off"}`,
  ];
  return `${lines.join("\n")}\n`;
}
