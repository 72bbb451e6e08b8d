export { ADMIN_TOKEN_FILE, AdminToken } from "./admin-token.js";
export { secretDigest, secretsEqual } from "./secret-digest.js";
