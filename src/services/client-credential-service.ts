import { CLIENT_PASSWORD_MAX_LENGTH, CLIENT_PASSWORD_MIN_LENGTH, type User } from "../domain/index.js";
import { ApiError } from "../errors/index.js";
import { type ClientAccount, type ClientAccountDirectory, digestHa1 } from "../registrar/index.js";
import type { ClientCredentialRepository } from "../store/index.js";

// The length rule is the domain's, shared with the seed's clientPassword.
export { CLIENT_PASSWORD_MAX_LENGTH, CLIENT_PASSWORD_MIN_LENGTH };

const CONTROL = /[\u0000-\u001f\u007f]/;

export interface ClientCredentialOptions {
  /** The SIP domain: the digest realm the HA1s are computed for. */
  readonly realm: string;
  readonly clock: { now(): number };
}

/** Whoever holds the live client registrations: told when a user's password is deleted. */
export interface ClientSessions {
  dropUser(userId: string, reason: string): void;
}

/**
 * Client passwords of emulated Unify Phone clients. A client registers over SIP/WebSocket
 * as `sip:<userId>@<domain>` with digest username = the user id and this password. Only
 * H(userId:realm:password) for MD5 and SHA-256 is kept; the password is neither stored,
 * returned nor logged. Deleting it logs the user's clients out at once.
 */
export class ClientCredentialService {
  constructor(
    /** Resolves a tenant's user, throwing tenant_not_found / user_not_found (UserService). */
    private readonly users: { get(tenantId: string, userId: string): User },
    private readonly credentials: ClientCredentialRepository,
    private readonly options: ClientCredentialOptions,
    private readonly sessions: ClientSessions,
  ) {}

  setPassword(tenantId: string, userId: string, password: unknown): void {
    const user = this.users.get(tenantId, userId);
    const valid = checkPassword(password);
    const { realm } = this.options;
    this.credentials.set({
      userId: user.id,
      realm,
      ha1Md5: digestHa1("MD5", user.id, realm, valid),
      ha1Sha256: digestHa1("SHA-256", user.id, realm, valid),
      setAt: this.options.clock.now(),
    });
  }

  /** Idempotent: a user without a client password is left as it is. */
  deletePassword(tenantId: string, userId: string): void {
    const user = this.users.get(tenantId, userId);
    if (this.credentials.delete(user.id)) this.sessions.dropUser(user.id, "client password deleted");
  }
}

/** The client accounts the client registrar verifies against: the stored HA1s, read as they are now. */
export function clientAccounts(credentials: Pick<ClientCredentialRepository, "get">): ClientAccountDirectory {
  return {
    findClientAccount(userId: string): ClientAccount | undefined {
      const c = credentials.get(userId);
      return (
        c && {
          userId: c.userId,
          tenantId: c.tenantId,
          realm: c.realm,
          ha1: { MD5: c.ha1Md5, "SHA-256": c.ha1Sha256 },
        }
      );
    },
  };
}

function checkPassword(value: unknown): string {
  const fail = (message: string): never => {
    throw new ApiError("validation_failed", message, {
      errors: [{ field: "body.password", code: "client_password", message }],
    });
  };
  if (typeof value !== "string") fail("password must be a string");
  const s = value as string;
  // In code points, as JSON Schema's minLength counts them.
  const length = [...s].length;
  if (length < CLIENT_PASSWORD_MIN_LENGTH || length > CLIENT_PASSWORD_MAX_LENGTH || CONTROL.test(s)) {
    fail(
      `password must be ${CLIENT_PASSWORD_MIN_LENGTH}–${CLIENT_PASSWORD_MAX_LENGTH} characters without control characters`,
    );
  }
  return s;
}
