export type { Binding, TrunkStatus, TrunkStatusEvent } from "./binding.js";
export { BindingTable } from "./binding-table.js";
export { type DigestAlgorithm, digestResponse, formatChallenge } from "./digest.js";
export { NonceService } from "./nonce-service.js";
export {
  type DuplicateRegistrationPolicy,
  type RegisterAttempt,
  Registrar,
  type RegistrarOptions,
  type RegistrarTrunk,
  type TrunkDirectory,
} from "./registrar.js";
