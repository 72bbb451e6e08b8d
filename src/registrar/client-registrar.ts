import type { Clock } from "../shared/clock.js";
import { formatUri, type SipRequest, type SipUri } from "../sip/message/index.js";
import { type ClientBinding, ClientBindings } from "./client-bindings.js";
import type { ContactBinding } from "./contact-bindings.js";
import type { DigestAlgorithm } from "./digest.js";
import { RegisterRejection } from "./register-contacts.js";
import {
  AccountRegistrar,
  type AccountRegistrarOptions,
  type RegistrarAccount,
} from "./registration-core.js";

/**
 * A user's client credential as stored: never the password, only H(userId:realm:password)
 * per algorithm (RFC 7616 §3.4.2), and the realm they were computed for.
 */
export interface ClientAccount {
  readonly userId: string;
  readonly tenantId: string;
  readonly realm: string;
  readonly ha1: Readonly<Record<DigestAlgorithm, string>>;
}

export interface ClientAccountDirectory {
  /** The account of a user with a client password, or undefined. */
  findClientAccount(userId: string): ClientAccount | undefined;
}

/** Whether a tenant's Unify Phone works now (the services decide: a Unify Video tenant's JWT). */
export interface ClientServiceState {
  /** The cause when the tenant is not functional, e.g. "JWT expired"; undefined when it is. */
  tenantOutage(tenantId: string): { readonly cause: string } | undefined;
}

export interface ClientRegistrarOptions extends AccountRegistrarOptions {
  /** Clients one user may have registered at once (browser tabs, phones…). */
  readonly maxContactsPerUser: number;
}

/** Entity ids of users start with this (src/domain/ids.ts); trunk usernames are 10 digits. */
const USER_ID_PREFIX = "us_";

/**
 * True for a Unify Phone client's address-of-record, `sip:<userId>@<domain>`. The user is
 * named by its id, not its e-mail: ids need no escaping in a SIP URI and never change.
 */
export function isClientAor(uri: SipUri): boolean {
  return uri.user?.startsWith(USER_ID_PREFIX) ?? false;
}

/**
 * The registrar for emulated Unify Phone clients (RFC 3261 §10.3 over RFC 7118
 * WebSockets): a user AOR, digest always checked against stored HA1s, several clients
 * per user. The §10.3 rules are the trunk Registrar's (AccountRegistrar).
 */
export class ClientRegistrar extends AccountRegistrar<ClientBinding> {
  declare readonly bindings: ClientBindings;
  private readonly realm: string;

  constructor(
    options: ClientRegistrarOptions,
    private readonly accounts: ClientAccountDirectory,
    clock: Clock,
    private readonly service?: ClientServiceState,
  ) {
    const kind = {
      maxContacts: options.maxContactsPerUser,
      unknown: "client account for user",
      // Client AORs are random user ids, not guessable: a 404 tells a client it has no password yet.
      hideUnknown: false,
      perAccount: "clients per user",
    };
    super(options, kind, clock, new ClientBindings(clock));
    this.realm = options.realm;
  }

  protected findAccount(userId: string): RegistrarAccount | undefined {
    const account = this.accounts.findClientAccount(userId);
    if (!account) return undefined;
    // A stored HA1 only verifies in the realm it was computed for.
    if (account.realm !== this.realm) {
      throw new RegisterRejection(
        403,
        `Forbidden: the client password was set for realm ${account.realm}; set it again for ${this.realm}`,
      );
    }
    const { userId: id, tenantId, ha1 } = account;
    return { id, tenantId, username: id, credentials: { ha1 }, authRequired: true };
  }

  /**
   * A client of a tenant that is not functional cannot register (HowTo: "Unify Phone will not be
   * functional"): 403 with the cause, after the password was checked so only the user learns it.
   * Checked on every REGISTER, refreshes and logouts included; bindings made before stay until
   * they expire or the client goes.
   */
  protected override admit(account: RegistrarAccount): void {
    const outage = this.service?.tenantOutage(account.tenantId);
    if (outage) throw new RegisterRejection(403, `Forbidden: Unify Phone not functional: ${outage.cause}`);
  }

  protected bind(user: RegistrarAccount, contact: ContactBinding, request: SipRequest): ClientBinding {
    return {
      userId: user.id,
      tenantId: user.tenantId,
      aor: formatUri({ ...request.to.uri, params: {}, headers: {} }),
      ...contact,
      userAgent: request.headers.get("user-agent") ?? null,
    };
  }
}
