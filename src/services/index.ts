export { CallService, type StartCallInput } from "./call-service.js";
export {
  type CallSummarySource,
  type CallSummaryView,
  type CallView,
  callSummaryView,
  callView,
} from "./call-view.js";
export {
  CLIENT_PASSWORD_MAX_LENGTH,
  CLIENT_PASSWORD_MIN_LENGTH,
  ClientCredentialService,
  type ClientSessions,
  clientAccounts,
} from "./client-credential-service.js";
export {
  CLIENT_SESSION_IDLE_MS,
  type ClientSession,
  ClientSessionService,
  type ClientSignIn,
} from "./client-session-service.js";
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
export { DiagnoseEvidence, type TransportReport } from "./diagnose-evidence.js";
export {
  DiagnoseService,
  type Diagnosis,
  type FaultRuleView,
  type PbxCallView,
  type TrunkDiagnosis,
} from "./diagnose-service.js";
export {
  IMPORT_COLUMNS,
  IMPORT_MAX_ROWS,
  type ImportRequest,
  type ImportResult,
  type ImportRows,
  REQUIRED_COLUMNS,
} from "./import/index.js";
export {
  applySeedJwt,
  expiringFrom,
  JWT_STATUSES,
  type JwtOutageCode,
  JwtService,
  type JwtStatus,
  type JwtStatusName,
  type MintedToken,
  type MintInput,
  NOT_FUNCTIONAL,
  type PortalToken,
  type SeedJwt,
  type SeedJwtSummary,
  type ServiceOutage,
  type TenantJwtView,
} from "./jwt/index.js";
export { MaintenanceService, type MaintenanceState } from "./maintenance-service.js";
export { type MailboxChange, type MailboxView, MwiService } from "./mwi/index.js";
export {
  type Presence,
  type PresenceChange,
  type PresencePorts,
  PresenceService,
  type PresenceSource,
} from "./presence/index.js";
export {
  type ClientKind,
  type ClientRegistrationSource,
  type ClientRegistrationView,
  clientKind,
  clientRegistrationView,
  type RegistrationView,
} from "./registration-view.js";
export { type ConnectorStatus, TenantService } from "./tenant-service.js";
export {
  type AnsweredBy,
  type HttpAnswer,
  isSecretName,
  redactBody,
  redactHeaders,
  redactQuery,
  redactValue,
  type SipAnswer,
  type SipCaptureInput,
  type SipFlow,
  type StubHttpAnswer,
  type StubResponder,
  type StubSipAnswer,
  sipReasonPhrase,
  UnmatchedCapture,
  type UnmatchedCaptureOptions,
  type UnmatchedEntry,
  type UnmatchedHttpEntry,
  type UnmatchedHttpRequest,
  UnmatchedJournal,
  type UnmatchedKind,
  type UnmatchedNotice,
  type UnmatchedSipEntry,
  type UnmatchedSipRequest,
  type UnmatchedView,
  unmatchedSummary,
  unmatchedView,
} from "./unmatched/index.js";
export {
  DEFAULT_LOCALE,
  type NewUserInput,
  type UserAssignment,
  type UserChanges,
  type UserListQuery,
  UserService,
} from "./user-service.js";
