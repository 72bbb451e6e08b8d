export {
  type CertificateAndKey,
  createCertificateAuthority,
  DEFAULT_CA_COMMON_NAME,
} from "./certificate-authority.js";
export { certificateFingerprint } from "./certificate-fingerprint.js";
export { CERTIFICATE_FILE_NAMES, type CertificateSet, ensureCertificates } from "./ensure-certificates.js";
export { loadTlsFiles, TlsFileError, type TlsFiles } from "./load-tls-files.js";
export { issueServerCertificate } from "./server-certificate.js";
export { MODERN_CIPHERS, NO_RENEGOTIATION } from "./tls-policy.js";
