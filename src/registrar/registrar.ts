import type { Clock } from "../shared/clock.js";
import { Listeners } from "../shared/listeners.js";
import type { SipConnection } from "../sip/transport/index.js";
import type { Binding, TrunkStatusEvent } from "./binding.js";
import { BindingTable } from "./binding-table.js";
import type { ContactBinding } from "./contact-bindings.js";
import { RegisterRejection } from "./register-contacts.js";
import {
  AccountRegistrar,
  type AccountRegistrarOptions,
  type Displacement,
  type RegistrarAccount,
} from "./registration-core.js";

/** What the registrar needs to know of a trunk; the domain store supplies it. */
export interface RegistrarTrunk {
  readonly id: string;
  readonly tenantId: string;
  readonly username: string;
  readonly password: string;
  readonly authRequired: boolean;
}

export interface TrunkDirectory {
  findByUsername(username: string): RegistrarTrunk | undefined;
}

/** The final answer to one REGISTER of a known trunk (not the 401 challenges), for diagnosis. */
export interface RegisterAttempt {
  readonly trunkId: string;
  readonly status: number;
  readonly reason: string;
  readonly at: number;
  readonly remote: string;
}

/**
 * What happens when a trunk that is registered over one connection registers over another
 * with a different contact — a cloned or restored PBX using the same trunk identity (SPEC §1):
 * - `allow`: both keep their bindings (up to the contact limit);
 * - `reject`: the newcomer gets 403, the first PBX keeps the trunk;
 * - `last-wins`: the newcomer takes the trunk over silently (the connector stays available);
 * - `flap`: the newcomer takes over and the connector visibly drops and comes back each time
 *   the two PBXs re-register in turn.
 */
export type DuplicateRegistrationPolicy = "allow" | "reject" | "last-wins" | "flap";

export interface RegistrarOptions extends AccountRegistrarOptions {
  readonly maxContactsPerTrunk: number;
  readonly duplicateRegistration: DuplicateRegistrationPolicy;
}

/** The reason of the status event when another connection takes the trunk over. */
export const TAKEOVER_REASON = "taken over by a registration from another connection (cloned system?)";

/**
 * The registrar of the connector (RFC 3261 §10.3): digest-authenticated REGISTER from a
 * PBX's trunk user, bindings tied to the TLS connection the REGISTER came on.
 */
export class Registrar extends AccountRegistrar<Binding> {
  declare readonly bindings: BindingTable;
  /** The outcome of each REGISTER of a known trunk (not the 401 challenges). */
  readonly attempts = new Listeners<RegisterAttempt>();
  /** Changeable at runtime (scenarios switch it). */
  duplicatePolicy: DuplicateRegistrationPolicy;
  /**
   * The account of each trunk as the directory hands it out: the store's trunks are immutable
   * and replaced on every change, so a changed trunk (a new password) gets a new account.
   */
  private readonly accounts = new WeakMap<RegistrarTrunk, RegistrarAccount>();
  /** "address:port" of each connection, made once: every REGISTER outcome names it. */
  private readonly remotes = new WeakMap<SipConnection, string>();

  constructor(
    options: RegistrarOptions,
    private readonly trunks: TrunkDirectory,
    clock: Clock,
    events: Listeners<TrunkStatusEvent>,
  ) {
    const kind = {
      maxContacts: options.maxContactsPerTrunk,
      unknown: "trunk with user",
      // Trunk users are 10-digit numbers: a 404 would let them be enumerated (SIPVicious svwar).
      hideUnknown: true,
      perAccount: "contacts per trunk",
    };
    super(options, kind, clock, new BindingTable(clock, events));
    this.duplicatePolicy = options.duplicateRegistration;
  }

  protected findAccount(user: string): RegistrarAccount | undefined {
    const trunk = this.trunks.findByUsername(user);
    if (!trunk) return undefined;
    let account = this.accounts.get(trunk);
    if (account === undefined) {
      const { id, tenantId, username, password, authRequired } = trunk;
      account = { id, tenantId, username, credentials: { password, ha1Cache: {} }, authRequired };
      this.accounts.set(trunk, account);
    }
    return account;
  }

  protected bind(trunk: RegistrarAccount, contact: ContactBinding): Binding {
    return { trunkId: trunk.id, tenantId: trunk.tenantId, aor: trunk.username, ...contact };
  }

  protected override displace(
    trunk: RegistrarAccount,
    adds: readonly string[],
    connectionId: string,
  ): Displacement {
    const policy = this.duplicatePolicy;
    // Only a REGISTER that binds something takes the trunk over; one that only removes
    // (or queries) leaves the other connection's bindings alone.
    const elsewhere: string[] = [];
    if (policy !== "allow" && adds.length > 0)
      for (const b of this.bindings.forTrunk(trunk.id))
        if (b.connectionId !== connectionId && !adds.includes(b.contact)) elsewhere.push(b.contact);
    if (policy === "reject" && elsewhere.length > 0) {
      throw new RegisterRejection(
        403,
        "Forbidden: trunk already registered from another connection (cloned system?)",
      );
    }
    // flap: the old registration goes first, so the connector is seen to drop and come back;
    // last-wins: the new binding is in place first, so the trunk never looks unavailable.
    const contacts = policy === "last-wins" || policy === "flap" ? elsewhere : [];
    return { contacts, first: policy === "flap", reason: TAKEOVER_REASON };
  }

  protected override settled(
    trunk: RegistrarAccount,
    connection: SipConnection,
    status: number,
    reason: string,
  ): void {
    let remote = this.remotes.get(connection);
    if (remote === undefined) {
      remote = `${connection.remoteAddress}:${connection.remotePort}`;
      this.remotes.set(connection, remote);
    }
    this.attempts.emit({ trunkId: trunk.id, status, reason, at: this.clock.now(), remote });
  }
}
