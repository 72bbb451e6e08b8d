import type { KeyObject } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { ApiError } from "../../errors/index.js";

/** `iss` of every token the emulated JWT creation portal mints. */
export const PORTAL_ISSUER = "unify-phone-emulator/jwt-portal";

/** What a portal-signed token claims, once its signature and expiry are checked. */
export interface PortalClaims {
  readonly jti: string;
  readonly audience: readonly string[];
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Checks that `token` is a compact JWS signed with the portal key (ES256), not expired at
 * `now` (emulator time, not wall time) and carrying `jti`, `aud` and our `iss`. Throws
 * ApiError `jwt_malformed`, `jwt_signature_invalid` or `jwt_already_expired`.
 */
export async function verifyPortalSignature(
  token: string,
  key: KeyObject,
  now: number,
): Promise<PortalClaims> {
  if (!COMPACT_JWS.test(token)) {
    throw new ApiError("jwt_malformed", "not a JWT: expected three base64url parts separated by dots");
  }
  // Structure first, so that a garbled token is "malformed" whatever its signature.
  try {
    decodeProtectedHeader(token);
    decodeJwt(token);
  } catch (error) {
    throw new ApiError("jwt_malformed", `not a JWT: ${(error as Error).message}`);
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ["ES256"],
      issuer: PORTAL_ISSUER,
      requiredClaims: ["jti", "aud"],
      currentDate: new Date(now),
    }));
  } catch (error) {
    throw joseToApiError(error);
  }
  const { jti, aud } = payload;
  if (typeof jti !== "string" || jti === "") throw new ApiError("jwt_malformed", '"jti" must be a string');
  return { jti, audience: typeof aud === "string" ? [aud] : (aud as string[]) };
}

function joseToApiError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || !code.startsWith("ERR_")) return error;
  const message = (error as Error).message;
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return new ApiError("jwt_already_expired", `the token has expired (${message})`);
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return new ApiError("jwt_signature_invalid", "the signature does not match the portal's signing key");
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return new ApiError(
        "jwt_signature_invalid",
        "the portal signs with ES256 only; this token uses another alg",
      );
    default:
      return new ApiError("jwt_malformed", message);
  }
}
