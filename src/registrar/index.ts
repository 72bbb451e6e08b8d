export type { Binding, TrunkStatus, TrunkStatusEvent } from "./binding.js";
export { BindingTable } from "./binding-table.js";
export { type ClientBinding, ClientBindings, type ClientPresenceEvent } from "./client-bindings.js";
export {
  type ClientAccount,
  type ClientAccountDirectory,
  ClientRegistrar,
  type ClientRegistrarOptions,
  type ClientServiceState,
  isClientAor,
} from "./client-registrar.js";
export {
  type ConnectionOwner,
  connectionOwner,
  connectionTrunk,
  type OwnerDirectory,
} from "./connection-owner.js";
export {
  credentialAlgorithm,
  type DigestAlgorithm,
  digestHa1,
  digestResponse,
  digestResponseFromHa1,
  formatChallenge,
} from "./digest.js";
export { type DigestOutcome, DigestVerifier } from "./digest-verifier.js";
export {
  type MaintenanceEvent,
  type MaintenancePeriod,
  type MaintenanceSpec,
  MaintenanceWindow,
  maintenancePeriod,
} from "./maintenance-window.js";
export { NonceService } from "./nonce-service.js";
export { RefreshShortcut, type RefreshShortcutPorts } from "./refresh-shortcut.js";
export {
  type DuplicateRegistrationPolicy,
  type RegisterAttempt,
  Registrar,
  type RegistrarOptions,
  type RegistrarTrunk,
  TAKEOVER_REASON,
  type TrunkDirectory,
} from "./registrar.js";
export type { UnknownAccountAttempt } from "./registration-core.js";
