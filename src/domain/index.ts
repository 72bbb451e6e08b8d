export { DomainError } from "./domain-error.js";
export { generateApiKey, newClientId, newId, newIds } from "./ids.js";
export { EMPTY_MAILBOX, sameMailbox, type VoiceMailbox } from "./mailbox.js";
export { assertNumberingFitsFlavour, phoneNumberFor, validateNumbering } from "./numbering.js";
export {
  DEFAULT_SIMULTANEOUS_CALLS,
  NUMBERING_SCHEMAS,
  type Numbering,
  type NumberingSchema,
  type PbxSystem,
} from "./pbx-system.js";
export {
  FLAVOURS,
  type Flavour,
  type Tenant,
  type TenantAdministrator,
  tenantAdministrator,
} from "./tenant.js";
export {
  generateTrunkPassword,
  generateTrunkUsername,
  type RandomInt,
  type Trunk,
  trunkName,
} from "./trunk.js";
export {
  BUSY_BEHAVIOURS,
  type BusyBehaviour,
  type CallBehaviour,
  DEFAULT_CALL_BEHAVIOUR,
  DEFAULT_ROUTING,
  type RoutingSettings,
  USER_ROLES,
  USER_ROUTINGS,
  type User,
  type UserRole,
  type UserRouting,
  validateCallBehaviour,
  validateRouting,
} from "./user.js";
export {
  apiKeyWeakness,
  CLIENT_PASSWORD_MAX_LENGTH,
  CLIENT_PASSWORD_MIN_LENGTH,
  LOCALES,
  type Locale,
  validateApiKey,
  validateCallno,
  validateChosenApiKey,
  validateClientPassword,
  validateDid,
  validateEmail,
  validateFlavour,
  validateLabel,
  validateLocale,
  validatePhoneNumber,
  validateRole,
  validateSimultaneousCalls,
  validateSystemId,
  validateTrunkPassword,
  validateTrunkUsername,
} from "./validators.js";
