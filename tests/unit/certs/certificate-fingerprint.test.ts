import { createHash, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { certificateFingerprint, createCertificateAuthority } from "../../../src/certs/index.js";

describe("certificateFingerprint", () => {
  const ca = createCertificateAuthority();

  it("is the SHA-256 of the DER, as colon-separated upper-case hex", () => {
    const der = new X509Certificate(ca.certPem).raw;
    const expected = createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g)!.join(":");
    expect(certificateFingerprint(ca.certPem)).toBe(expected);
  });

  it("takes the first certificate of a chain", () => {
    const other = createCertificateAuthority();
    expect(certificateFingerprint(ca.certPem + other.certPem)).toBe(certificateFingerprint(ca.certPem));
    expect(certificateFingerprint(other.certPem)).not.toBe(certificateFingerprint(ca.certPem));
  });
});
