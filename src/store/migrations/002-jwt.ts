import type { Migration } from "./migration.js";

/*
 * Tokens minted by the emulated JWT creation portal (the token text itself is not kept:
 * like the real portal, it is shown once) and the JWT each tenant has set. A portal token
 * is never deleted, only revoked, so a tenant's JWT can always find its revocation.
 */
export const jwtMigration: Migration = {
  version: 2,
  name: "jwt",
  up: `
CREATE TABLE portal_tokens (
  id         TEXT PRIMARY KEY,
  client_id  TEXT NOT NULL,
  label      TEXT NOT NULL,
  expires_at INTEGER,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;

CREATE INDEX portal_tokens_by_client ON portal_tokens (client_id, created_at);

CREATE TABLE tenant_jwts (
  tenant_id  TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  token_id   TEXT NOT NULL REFERENCES portal_tokens (id),
  label      TEXT NOT NULL,
  expires_at INTEGER,
  set_at     INTEGER NOT NULL
) STRICT;
`,
};
