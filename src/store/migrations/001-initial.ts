import type { Migration } from "./migration.js";

/*
 * name_key / email_key hold the JS-lowercased value: SQLite's lower() and NOCASE only
 * fold ASCII. search_key is the lowercased text that user search matches against.
 */
export const initialMigration: Migration = {
  version: 1,
  name: "initial",
  up: `
CREATE TABLE tenants (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  name_key   TEXT NOT NULL UNIQUE,
  flavour    TEXT NOT NULL CHECK (flavour IN ('openscape', 'video')),
  api_key    TEXT NOT NULL UNIQUE,
  client_id  TEXT NOT NULL UNIQUE,
  trunk_seq  INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE systems (
  id                 TEXT PRIMARY KEY,
  tenant_id          TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  system_id          TEXT NOT NULL,
  name               TEXT NOT NULL,
  version            TEXT,
  simultaneous_calls INTEGER NOT NULL,
  numbering_schema   TEXT NOT NULL CHECK (numbering_schema IN ('international', 'internal')),
  country_code       TEXT,
  area_code          TEXT,
  pabx_number        TEXT,
  created_at         INTEGER NOT NULL,
  UNIQUE (tenant_id, system_id)
) STRICT;

CREATE TABLE trunks (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  system_ref    TEXT NOT NULL UNIQUE REFERENCES systems (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  username      TEXT NOT NULL UNIQUE,
  password      TEXT NOT NULL,
  auth_required INTEGER NOT NULL CHECK (auth_required IN (0, 1)),
  created_at    INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
) STRICT;

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email_address TEXT NOT NULL,
  email_key     TEXT NOT NULL,
  first_name    TEXT NOT NULL,
  last_name     TEXT NOT NULL,
  locale        TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('user', 'admin')),
  trunk_id      TEXT REFERENCES trunks (id) ON DELETE SET NULL,
  callno        TEXT,
  did           TEXT,
  phone_number  TEXT,
  search_key    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (tenant_id, email_key)
) STRICT;

CREATE INDEX users_by_name ON users (tenant_id, last_name COLLATE NOCASE, first_name COLLATE NOCASE, email_key, id);
CREATE INDEX users_by_trunk ON users (trunk_id);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
`,
};
