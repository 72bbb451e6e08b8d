// A portal token as the store keeps it is what JwtService lists and revokes: part of its API.
export type { PortalToken } from "../../store/index.js";
export { applySeedJwt, type SeedJwt, type SeedJwtSummary } from "./seed.js";
export { JwtService, type MintedToken, type MintInput } from "./service.js";
export { JWT_STATUSES, type JwtStatus, type JwtStatusName, jwtStatusAt, ONE_MONTH_MS } from "./status.js";
