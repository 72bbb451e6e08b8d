/**
 * Every stable machine `code` the REST API can answer with, its HTTP status and title.
 * The registry is the only place codes are declared; `docs/errors.md` lists them all and
 * a test fails when one is missing there (as fastify does for its FST_ERR_* codes).
 */
export const API_ERRORS = {
  // Request shape
  validation_failed: { status: 400, title: "The request is not valid" },
  malformed_json: { status: 400, title: "The body is not valid JSON" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  payload_too_large: { status: 413, title: "The body is too large" },
  not_found: { status: 404, title: "No such resource" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  // Authentication and abuse limits
  admin_token_missing: { status: 401, title: "An admin bearer token is required" },
  admin_token_invalid: { status: 401, title: "The admin token is not valid" },
  api_key_missing: { status: 401, title: "An X-API-Key header is required" },
  api_key_invalid: { status: 401, title: "The API key is not valid (wrong or regenerated)" },
  rate_limited: { status: 429, title: "Too many failed attempts; retry later" },
  // Browser phone (/phone): the user's client password and the sessions it opens
  client_sign_in_failed: { status: 401, title: "Tenant, user or client password is wrong" },
  client_session_missing: { status: 401, title: "A client session token is required" },
  client_session_invalid: { status: 401, title: "The client session has expired or ended" },
  presence_unavailable: { status: 501, title: "Presence (DND) is not available in this build" },
  // Tenants, systems, trunks
  tenant_not_found: { status: 404, title: "No such tenant" },
  tenant_name_taken: { status: 409, title: "A tenant with this name exists" },
  api_key_taken: { status: 409, title: "This API key is used by another tenant" },
  client_id_taken: { status: 409, title: "This client ID is used by another tenant" },
  system_not_found: { status: 404, title: "No such PBX system" },
  system_id_taken: { status: 409, title: "This system ID is already provisioned" },
  system_has_trunk: { status: 409, title: "This system already has a trunk" },
  trunk_not_found: { status: 404, title: "No such trunk" },
  trunk_username_taken: { status: 409, title: "This trunk username is taken" },
  trunk_name_taken: { status: 409, title: "This trunk name is taken" },
  // JWT
  jwt_not_set: { status: 403, title: "No JWT is configured for the tenant" },
  jwt_invalid: { status: 403, title: "The tenant's JWT has been invalidated" },
  jwt_expired: { status: 403, title: "The tenant's JWT has expired" },
  jwt_malformed: { status: 422, title: "The token is not a well-formed JWT" },
  jwt_signature_invalid: { status: 422, title: "The token was not signed by the JWT creation portal" },
  jwt_wrong_client: { status: 422, title: "The token was created for another client ID" },
  jwt_already_expired: { status: 422, title: "The token has already expired" },
  jwt_revoked: { status: 422, title: "The token has been revoked in the portal" },
  jwt_token_not_found: { status: 404, title: "No such portal token" },
  // Users
  user_not_found: { status: 404, title: "No such user" },
  email_taken: { status: 409, title: "A user with this e-mail exists in the tenant" },
  phone_number_taken: { status: 409, title: "This phone number is used by another user of the tenant" },
  connector_unavailable: {
    status: 409,
    title: "User provisioning requires an available Telephony Connector",
  },
  last_admin: { status: 409, title: "The tenant's last administrator cannot be removed or demoted" },
  import_invalid: { status: 422, title: "The import has invalid rows; nothing was written" },
  import_too_many_rows: { status: 413, title: "The import has too many rows" },
  import_header_invalid: { status: 422, title: "The CSV header row is not valid" },
  import_empty: { status: 422, title: "The import file is empty" },
  import_not_utf8: { status: 422, title: "The import file is not UTF-8" },
  // Values (also used as row-level codes inside import errors)
  invalid_value: { status: 422, title: "A value is not valid" },
  number_too_long: { status: 422, title: "The phone number exceeds E.164's 15 digits" },
  numbering_incomplete: { status: 422, title: "The numbering plan lacks a part needed for this number" },
  // Connector (PBX side)
  invalid_numbering: { status: 422, title: "The numbering settings are not valid" },
  user_assigned_to_other_system: {
    status: 409,
    title: "The user is assigned to another PBX system of the tenant",
  },
  // Calls
  call_not_found: { status: 404, title: "No such call in the journal" },
  user_not_assigned: { status: 409, title: "The user is not assigned to a trunk" },
  trunk_not_registered: {
    status: 409,
    title: "The user's trunk is not registered: the PBX is not connected",
  },
  trunk_lines_busy: { status: 409, title: "All lines of the trunk are busy" },
  // Desk phone (CTI over the trunk, docs/cti.md)
  desk_phone_not_found: { status: 404, title: "The user has no desk phone (no callno on a trunk)" },
  desk_phone_no_call: { status: 409, title: "The desk phone has no call in the state this action needs" },
  cti_not_connected: { status: 409, title: "No CSTA session with the user's PBX" },
  cti_timeout: { status: 504, title: "The PBX did not answer the CSTA request in time" },
  cti_refused: { status: 502, title: "The PBX refused the CSTA request (CSTAErrorCode)" },
  // Pull and push between desk phone and app (docs/calls.md)
  call_not_pushable: { status: 409, title: "The call cannot be pushed to the desk phone in its state" },
  call_not_on_desk_phone: { status: 409, title: "The desk phone has no part in this call to pull" },
  push_refused: { status: 502, title: "The PBX refused the REFER that pushes the call to the desk phone" },
  push_timeout: { status: 504, title: "The PBX did not answer the REFER that pushes the call" },
  // Clock
  clock_invalid: { status: 422, title: "The clock value or duration is not valid" },
  maintenance_invalid: { status: 422, title: "The maintenance window is not valid" },
  // Faults
  fault_invalid: { status: 422, title: "The fault rule is not valid" },
  fault_not_found: { status: 404, title: "No such fault rule" },
  fault_id_taken: { status: 409, title: "A fault rule with this id exists" },
  fault_injected: { status: 503, title: "An injected fault answered this request" },
  // Stubs (mappings)
  mapping_invalid: { status: 422, title: "The stub mapping is not valid" },
  mapping_not_found: { status: 404, title: "No such stub mapping" },
  mapping_id_taken: { status: 409, title: "A stub mapping with this id exists" },
  stub_template_failed: { status: 500, title: "A stub mapping's template could not be rendered" },
  stub_action_failed: { status: 500, title: "A stub mapping's side effect failed" },
  // Unmatched journal
  unmatched_not_found: { status: 404, title: "No such unmatched request" },
  // Scenarios
  scenario_not_found: { status: 404, title: "No such scenario" },
  scenario_invalid: { status: 422, title: "The scenario file is not valid" },
  // Live events
  event_streams_exhausted: { status: 503, title: "Too many event streams are open" },
  // Webhook
  webhook_not_configured: { status: 409, title: "No webhook is configured" },
  // Fallback
  internal_error: { status: 500, title: "Internal error" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(API_ERRORS, code);
}
