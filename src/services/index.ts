export { CallService, type StartCallInput } from "./call-service.js";
export { ClockService, type ClockState } from "./clock-service.js";
export {
  type ConnectorEndpoints,
  ConnectorService,
  type ProvisionInput,
  type WizardAssignment,
  type WizardNewUser,
  type WizardUserQuery,
} from "./connector-service.js";
export type { ProvisionedSystem, WizardUser } from "./connector-views.js";
export {
  IMPORT_COLUMNS,
  IMPORT_MAX_ROWS,
  type ImportRequest,
  type ImportResult,
  REQUIRED_COLUMNS,
} from "./import/index.js";
export { applySeedJwt, type SeedJwt, type SeedJwtSummary } from "./jwt-seed.js";
export { JwtService, type MintedToken, type MintInput } from "./jwt-service.js";
export { JWT_STATUSES, type JwtStatus, type JwtStatusName, ONE_MONTH_MS } from "./jwt-status.js";
export type { RegistrationView } from "./registration-view.js";
export { type ConnectorStatus, TenantService } from "./tenant-service.js";
export {
  DEFAULT_LOCALE,
  type NewUserInput,
  type UserAssignment,
  type UserChanges,
  type UserListQuery,
  UserService,
} from "./user-service.js";
export { type Diagnosis, DiagnoseService, type FaultHitView, type TrunkDiagnosis } from "./diagnose-service.js";
