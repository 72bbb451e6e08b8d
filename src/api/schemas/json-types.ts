/**
 * The REST API's JSON as a client sees it, derived from the route schemas (dates are ISO 8601
 * strings). The typed REST client (rest-client/) exports these; nothing here is restated.
 */
import type { advanceClockBody, clockSchema, setClockBody } from "./clock.js";
import type { problemSchema } from "./common.js";
import type {
  assignmentBody,
  numberingSchema,
  provisionBody,
  systemSchema,
  userQuery,
  createUserBody as wizardCreateUserBody,
  wizardUserSchema,
} from "./connector.js";
import type { liveSchema, readySchema } from "./health.js";
import type { createPortalTokenBody, mintedTokenSchema, portalTokenSchema, tenantJwtSchema } from "./jwt.js";
import type { connectorSchema, createTenantBody, tenantSchema } from "./tenants.js";
import type { InputOf, JsonOf } from "./type-provider.js";
import type {
  createUserBody,
  importResultSchema,
  listUsersQuery,
  patchUserBody,
  userPageSchema,
  userSchema,
} from "./users.js";
import type { testQueuedSchema, webhookBody, webhookStatusSchema } from "./webhook.js";

/** RFC 9457 problem+json, the body of every error, with its stable `code`. */
export type Problem = JsonOf<typeof problemSchema>;

export type LiveJson = JsonOf<typeof liveSchema>;
export type ReadyJson = JsonOf<ReturnType<typeof readySchema>>;

export type TenantJson = JsonOf<typeof tenantSchema>;
export type TenantInput = InputOf<typeof createTenantBody>;
export type ConnectorJson = JsonOf<typeof connectorSchema>;

export type TenantJwtJson = JsonOf<typeof tenantJwtSchema>;
export type JwtStatus = TenantJwtJson["status"];
/** A token of the emulated JWT portal, without its text. */
export type PortalTokenJson = JsonOf<typeof portalTokenSchema>;
/** A token just minted: the only time its text is shown. */
export type MintedTokenJson = JsonOf<typeof mintedTokenSchema>;
export type PortalTokenInput = InputOf<typeof createPortalTokenBody>;

export type UserJson = JsonOf<typeof userSchema>;
export type UserInput = InputOf<typeof createUserBody>;
/** Omitted fields keep their value; null clears trunk, callno, did or phoneNumber. */
export type UserPatch = InputOf<typeof patchUserBody>;
export type UserListQuery = InputOf<typeof listUsersQuery>;
export type UserPageJson = JsonOf<typeof userPageSchema>;
export type ImportResultJson = JsonOf<typeof importResultSchema>;

export type ClockJson = JsonOf<typeof clockSchema>;
export type ClockInput = InputOf<typeof setClockBody>;
export type ClockAdvanceInput = InputOf<typeof advanceClockBody>;

export type WebhookInput = InputOf<typeof webhookBody>;
/** The webhook and its counters; `url` is null when none is set. The secret is never returned. */
export type WebhookJson = JsonOf<typeof webhookStatusSchema>;
export type WebhookTestJson = JsonOf<typeof testQueuedSchema>;

export type NumberingJson = JsonOf<typeof numberingSchema>;
export type ProvisionInput = InputOf<typeof provisionBody>;
export type SystemJson = JsonOf<typeof systemSchema>;
export type WizardUserJson = JsonOf<typeof wizardUserSchema>;
export type WizardUserQuery = InputOf<typeof userQuery>;
export type WizardNewUserInput = InputOf<typeof wizardCreateUserBody>;
export type WizardAssignmentInput = InputOf<typeof assignmentBody>;
