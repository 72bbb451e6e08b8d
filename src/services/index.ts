export { ClockService, type ClockState } from "./clock-service.js";
export type { RegistrationView } from "./registration-view.js";
export { type ConnectorStatus, TenantService } from "./tenant-service.js";
