/**
 * JSON shapes of the REST API, as a client sees them (dates are ISO 8601 strings): the route
 * schemas' own types (api/schemas/json-types.ts), so the client cannot drift from the server.
 */
export type {
  ClockAdvanceInput,
  ClockInput,
  ClockJson,
  ConnectorJson,
  ImportResultJson,
  JwtStatus,
  LiveJson,
  MintedTokenJson,
  NumberingJson,
  PortalTokenInput,
  PortalTokenJson,
  Problem,
  ProvisionInput,
  ReadyJson,
  SystemJson,
  TenantInput,
  TenantJson,
  TenantJwtJson,
  UserInput,
  UserJson,
  UserListQuery,
  UserPageJson,
  UserPatch,
  WebhookInput,
  WebhookJson,
  WebhookTestJson,
  WizardAssignmentInput,
  WizardNewUserInput,
  WizardUserJson,
  WizardUserQuery,
} from "../api/index.js";

/** One page of a listing answered as an object (users): the items and the total that match. */
export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}
