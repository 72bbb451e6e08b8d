import { DomainError } from "../domain/index.js";

const UNIQUE: Record<string, [code: string, field: string, message: string]> = {
  "tenants.name_key": ["tenant_name_taken", "name", "a tenant with this name exists"],
  "tenants.api_key": ["api_key_taken", "apiKey", "this API key belongs to another tenant"],
  "tenants.client_id": ["client_id_taken", "clientId", "this client ID belongs to another tenant"],
  "systems.tenant_id, systems.system_id": ["system_id_taken", "systemId", "the tenant has this systemId"],
  "trunks.username": ["trunk_username_taken", "username", "this trunk username is in use"],
  "trunks.tenant_id, trunks.name": ["trunk_name_taken", "name", "the tenant has a trunk with this name"],
  "trunks.system_ref": ["system_has_trunk", "systemRef", "the system has a trunk already"],
  "users.tenant_id, users.email_key": [
    "email_taken",
    "emailAddress",
    "the tenant has a user with this e-mail",
  ],
  "users.tenant_id, users.phone_number": [
    "phone_number_taken",
    "phoneNumber",
    "another user of the tenant has this phone number",
  ],
};

/** Turns a SQLite constraint violation into the matching DomainError; other errors pass unchanged. */
export function translateConstraintError(error: unknown): unknown {
  if (!(error instanceof Error) || !("code" in error) || typeof error.code !== "string") return error;
  if (error.code === "SQLITE_CONSTRAINT_UNIQUE" || error.code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    const columns = error.message.replace(/^UNIQUE constraint failed: /, "");
    const known = UNIQUE[columns];
    if (known) return new DomainError(known[0], known[2], known[1]);
    return new DomainError("duplicate", `duplicate value (${columns})`);
  }
  if (error.code === "SQLITE_CONSTRAINT_FOREIGNKEY") {
    return new DomainError("reference_not_found", "a referenced tenant, system or trunk does not exist");
  }
  return error;
}

/** Runs a write, translating constraint violations. */
export function guarded<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw translateConstraintError(error);
  }
}
