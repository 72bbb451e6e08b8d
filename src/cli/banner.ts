import type { EmulatorHandle } from "../app.js";

/** The startup banner (SPEC §3.1): where everything listens, and a ready line last. */
export function banner(handle: EmulatorHandle): string {
  const c = handle.config;
  const p = handle.ports;
  const lines = [
    "unify-phone-emulator",
    `  SIP (TLS)      ${c.bind}:${p.sip}   ${handle.urls.sip}`,
    ...(p.sipTcp === null ? [] : [`  SIP (TCP)      ${c.bind}:${p.sipTcp}   (debug listener)`]),
    ...(p.sipUdp === null ? [] : [`  SIP (UDP)      ${c.bind}:${p.sipUdp}   (debug listener)`]),
    `  HTTPS          ${handle.urls.https}   (/healthz, /readyz)`,
    ...(handle.urls.http === null ? [] : [`  HTTP           ${handle.urls.http}`]),
    `  ${c.stunTcp === "on" ? "STUN (UDP+TCP)" : "STUN (UDP)    "} ${p.stun === null ? "off" : `${c.bind}:${p.stun}`}`,
    `  advertised     host ${c.host}, domain ${c.domain}`,
    `  data           ${c.ephemeral ? "in memory (ephemeral)" : c.dataDir}`,
    ...(handle.certificates.caCertPath
      ? [
          `  CA certificate ${handle.certificates.caCertPath}  (import into the PBX)`,
          `  CA SHA-256     ${handle.certificates.caFingerprint}`,
        ]
      : ["  certificate    user-provided (--cert-file)"]),
    `  admin token    ${adminTokenLine(handle)}`,
    ...(handle.mockOsbiz ? [`  mock OSBiz     ${handle.mockOsbiz.summary}`] : []),
    `  web UI         ${handle.urls.https}/`,
    `  API docs       ${handle.urls.https}/docs  (OpenAPI: ${handle.urls.https}/openapi.json)`,
    `ready: sip=${p.sip} https=${p.https}${p.http === null ? "" : ` http=${p.http}`} stun=${p.stun ?? "off"}`,
  ];
  return `${lines.join("\n")}\n`;
}

function adminTokenLine(handle: EmulatorHandle): string {
  if (handle.config.adminToken) return "from --admin-token / UPE_ADMIN_TOKEN";
  if (handle.adminToken) {
    const where = handle.adminTokenFile ? `; also in ${handle.adminTokenFile} (0600)` : "";
    return `${handle.adminToken}  (generated; stored hashed${where})`;
  }
  return `generated on first start: see ${handle.adminTokenFile ?? "the data dir"}`;
}
