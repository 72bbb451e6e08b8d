import { X509Certificate } from "node:crypto";

/** SHA-256 of the first certificate's DER in `pem`, as upper-case hex pairs "AB:CD:…". */
export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}
