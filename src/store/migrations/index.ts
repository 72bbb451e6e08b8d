export { initialMigration } from "./001-initial.js";
export { jwtMigration } from "./002-jwt.js";
export { userNumbersMigration } from "./003-user-numbers.js";
export { clientCredentialsMigration } from "./004-client-credentials.js";
export { userRoutingMigration } from "./005-user-routing.js";
export type { Migration } from "./migration.js";
