import type { Migration } from "./migration.js";

/*
 * Passwords of emulated Unify Phone clients, as digest HA1s only (H(userId:realm:password)
 * for MD5 and SHA-256, RFC 7616 §3.4.2): enough to verify a REGISTER, useless to log in
 * elsewhere. An HA1 is bound to its realm, so the realm is kept to explain a mismatch.
 */
export const clientCredentialsMigration: Migration = {
  version: 4,
  name: "client-credentials",
  up: `
CREATE TABLE client_credentials (
  user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  realm      TEXT NOT NULL,
  ha1_md5    TEXT NOT NULL,
  ha1_sha256 TEXT NOT NULL,
  set_at     INTEGER NOT NULL
) STRICT;
`,
};
