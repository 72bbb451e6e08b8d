import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
} from "node:crypto";
import type { SettingsRepository } from "../../store/index.js";

/** Settings key of the portal's private signing key (a JWK with its `kid`). */
export const PORTAL_KEY_SETTING = "jwt-portal.signing-key";

export interface PortalKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/**
 * The JWT creation portal's ES256 (P-256) key pair: generated on first use and kept in
 * the store settings, so tokens minted before a restart still verify after it.
 */
export function loadOrCreatePortalKey(settings: SettingsRepository): PortalKey {
  const stored = settings.get(PORTAL_KEY_SETTING);
  if (stored !== undefined) {
    const { kid, ...jwk } = JSON.parse(stored) as { kid: string; [member: string]: unknown };
    const privateKey = createPrivateKey({ key: jwk, format: "jwk" });
    return { kid, privateKey, publicKey: createPublicKey(privateKey) };
  }
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const kid = randomUUID();
  settings.set(PORTAL_KEY_SETTING, JSON.stringify({ ...privateKey.export({ format: "jwk" }), kid }));
  return { kid, privateKey, publicKey };
}
