import type { Migration } from "./migration.js";

/*
 * The user's routing settings (issue 15, HowTo §3.6.4): where incoming calls ring, the
 * alternative number, and what a second call does while the user talks.
 */
export const userRoutingMigration: Migration = {
  version: 5,
  name: "user-routing",
  up: `
ALTER TABLE users ADD COLUMN routing TEXT NOT NULL DEFAULT 'default';
ALTER TABLE users ADD COLUMN alternative_number TEXT;
ALTER TABLE users ADD COLUMN busy_behaviour TEXT NOT NULL DEFAULT 'call-waiting';
`,
};
