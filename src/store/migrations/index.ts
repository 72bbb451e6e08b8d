export { initialMigration } from "./001-initial.js";
export type { Migration } from "./migration.js";
