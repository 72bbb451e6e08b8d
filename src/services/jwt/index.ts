// A portal token as the store keeps it is what JwtService lists and revokes: part of its API.
export type { PortalToken } from "../../store/index.js";
export { type JwtOutageCode, NOT_FUNCTIONAL, outageOf, type ServiceOutage } from "./outage.js";
export { applySeedJwt, type SeedJwt, type SeedJwtSummary } from "./seed.js";
export { JwtService, type MintedToken, type MintInput, type TenantJwtView } from "./service.js";
export { expiringFrom, JWT_STATUSES, type JwtStatus, type JwtStatusName, jwtStatusAt } from "./status.js";
