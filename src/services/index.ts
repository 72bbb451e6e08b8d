export { ClockService, type ClockState } from "./clock-service.js";
export { type ConnectorEndpoints, ConnectorService } from "./connector-service.js";
export { JwtService } from "./jwt-service.js";
export type { RegistrationView } from "./registration-view.js";
export { type ConnectorStatus, TenantService } from "./tenant-service.js";
export { UserService } from "./user-service.js";
