import type { Migration } from "./migration.js";

/*
 * Phone numbers are unique per tenant (the registrar routes calls by them), enforced by a
 * partial unique index that also serves `getByPhoneNumber`. call_behaviour is the JSON
 * placeholder the calls issue fills in.
 */
export const userNumbersMigration: Migration = {
  version: 3,
  name: "user-numbers",
  up: `
ALTER TABLE users ADD COLUMN call_behaviour TEXT NOT NULL DEFAULT '{"mode":"answer","ringMs":1000}';

CREATE UNIQUE INDEX users_by_phone_number ON users (tenant_id, phone_number) WHERE phone_number IS NOT NULL;
`,
};
