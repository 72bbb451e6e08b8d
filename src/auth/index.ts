export { ADMIN_TOKEN_FILE, AdminToken } from "./admin-token.js";
export { AuthLockout, type AuthLockoutOptions } from "./auth-lockout.js";
export { secretDigest, secretsEqual } from "./secret-digest.js";
