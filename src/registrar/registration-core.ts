import { randomBytes } from "node:crypto";
import { AuthLockout } from "../auth/index.js";
import type { Clock } from "../shared/clock.js";
import { detachedString } from "../shared/detached-string.js";
import { newTag } from "../shared/ids.js";
import { Listeners } from "../shared/listeners.js";
import {
  createResponse,
  type DigestCredentials,
  type SipRequest,
  type SipResponse,
} from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import type { ContactBinding, ContactBindings } from "./contact-bindings.js";
import type { CountedResponse, DigestAlgorithm } from "./digest.js";
import { DigestVerifier } from "./digest-verifier.js";
import { NonceService } from "./nonce-service.js";
import {
  type ContactChange,
  formatBindingContact,
  RegisterRejection,
  readContactChanges,
  remainingSeconds,
} from "./register-contacts.js";

/** An account that registers (a trunk, a client user), as a kind's directory yields it. */
export interface RegistrarAccount {
  /** Owner of its bindings: trunk id, user id. */
  readonly id: string;
  readonly tenantId: string;
  /** The digest username, which is also the To user of its REGISTERs. */
  readonly username: string;
  /**
   * The password with a cache of its H(A1) per algorithm, filled on first use (the account
   * object lives as long as its password), or only H(username:realm:password) per algorithm
   * (RFC 7616 §3.4.2).
   */
  readonly credentials:
    | { readonly password: string; readonly ha1Cache: Partial<Record<DigestAlgorithm, string>> }
    | { readonly ha1: Readonly<Partial<Record<DigestAlgorithm, string>>> };
  readonly authRequired: boolean;
}

export interface AccountRegistrarOptions {
  readonly realm: string;
  readonly defaultExpires: number;
  readonly minExpires: number;
  readonly maxExpires: number;
  readonly nonceTtlMs: number;
  readonly digestAlgorithms: readonly DigestAlgorithm[];
  readonly maxAuthFailures: number;
  readonly lockoutMs: number;
}

/** A REGISTER for a user the directory does not know, with the reason the wire does not tell. */
export interface UnknownAccountAttempt {
  readonly user: string;
  readonly status: number;
  readonly reason: string;
  readonly at: number;
  readonly remote: string;
}

/** A REGISTER the shortcut recognised from its bytes (see AccountRegistrar.refreshAtOnce). */
export interface RecognisedRefresh {
  readonly account: RegistrarAccount;
  /** The binding key (Contact URI) it renews. */
  readonly contact: string;
  /**
   * The binding's Call-ID (a refresh) or a new one (the PBX registers afresh, e.g. after a
   * restart), a string of its own (a binding keeps it).
   */
  readonly callId: string;
  readonly cseq: number;
  /** Seconds asked for, as handleRegister worked them out for the same Contact and Expires. */
  readonly expires: number;
  /** The credentials of the REGISTER that made the binding… */
  readonly credentials: DigestCredentials;
  /** …with this REGISTER's nonce, nonce count, cnonce and response (in its bytes). */
  readonly counted: CountedResponse;
}

/** How one kind of account is limited and named in the reason phrases. */
export interface AccountKind {
  readonly maxContacts: number;
  /** The informative reason reads "no <unknown> <user>", e.g. "trunk with user". */
  readonly unknown: string;
  /**
   * Answer unknown users like known ones (401, then 403 "wrong password" after the same
   * digest work) so their names cannot be enumerated; otherwise a 404 says so.
   */
  readonly hideUnknown: boolean;
  /** The cap's 403 reads "Forbidden: at most <max> <perAccount>", e.g. "contacts per trunk". */
  readonly perAccount: string;
}

/** Bindings of the account that a REGISTER from elsewhere takes over. */
export interface Displacement {
  readonly contacts: readonly string[];
  /** Removed before the new contacts are bound (the owner visibly drops) or after (it never does). */
  readonly first: boolean;
  readonly reason: string;
}

/**
 * A registrar (RFC 3261 §10.3) for one kind of account: digest authentication with
 * lockout, Expires/423/cap, `*`, Call-ID/CSeq ordering and a contact limit, bindings tied
 * to the connection the REGISTER came on. Subclasses find accounts and shape bindings.
 */
export abstract class AccountRegistrar<B extends ContactBinding> {
  /** REGISTERs of unknown users (when hidden), with the informative reason, for logs and traces. */
  readonly unknownAccounts = new Listeners<UnknownAccountAttempt>();
  /** Asked first for every REGISTER: a rejection refuses it outright (a planned maintenance window). */
  gate: (() => RegisterRejection | undefined) | undefined;
  private readonly digest: DigestVerifier;
  private readonly lockout: AuthLockout;
  private dateSecond = Number.NaN;
  private dateText = "";
  /** Stands in for unknown users: random H(A1)s nobody can answer, so the digest work is the same. */
  private readonly decoyHa1: Readonly<Record<DigestAlgorithm, string>> = {
    MD5: randomBytes(16).toString("hex"),
    "SHA-256": randomBytes(32).toString("hex"),
  };

  constructor(
    private readonly options: AccountRegistrarOptions,
    private readonly kind: AccountKind,
    protected readonly clock: Clock,
    readonly bindings: ContactBindings<B>,
  ) {
    this.digest = new DigestVerifier(
      options.realm,
      new NonceService(clock, options.nonceTtlMs),
      options.digestAlgorithms,
    );
    this.lockout = new AuthLockout(clock, {
      maxFailures: options.maxAuthFailures,
      lockoutMs: options.lockoutMs,
    });
  }

  /** The account registering as `user`; may throw a RegisterRejection for a known but unusable one. */
  protected abstract findAccount(user: string): RegistrarAccount | undefined;

  /** The binding to store for `contact`, with the account's identity added. */
  protected abstract bind(account: RegistrarAccount, contact: ContactBinding, request: SipRequest): B;

  /** Bindings elsewhere that `adds` (keys of contacts being bound) take over; may throw to refuse. */
  protected displace?(account: RegistrarAccount, adds: readonly string[], connectionId: string): Displacement;

  /** After the credentials are checked, before any binding changes: may throw a RegisterRejection. */
  protected admit?(account: RegistrarAccount): void;

  /** Told the final answer to each REGISTER of a known account (401 challenges excluded). */
  protected settled?(
    account: RegistrarAccount,
    connection: SipConnection,
    status: number,
    reason: string,
  ): void;

  /**
   * Told each 200 to a REGISTER that bound exactly one contact (`change`), after it went out:
   * the refresh shortcut learns from them.
   */
  boundOne:
    | ((
        account: RegistrarAccount,
        tx: ServerTransaction,
        response: SipResponse,
        change: ContactChange,
      ) => void)
    | undefined;

  handleRegister(tx: ServerTransaction): void {
    const request = tx.request;
    let account: RegistrarAccount | undefined;
    let unknown: string | undefined;
    try {
      const user = this.registeringUser(request);
      account = this.findAccount(user);
      const closed = this.gate?.();
      if (closed) throw closed;
      if (!account) {
        if (!this.kind.hideUnknown)
          throw new RegisterRejection(404, `Not Found: no ${this.kind.unknown} ${user || "(none)"}`);
        unknown = user;
        this.authenticate(tx, this.decoy(user), true);
        return;
      }
      if (account.authRequired && !this.authenticate(tx, account, false)) return;
      this.admit?.(account);
      const one = this.updateBindings(tx, account);
      const response = createResponse(request, 200, "OK", newTag());
      for (const b of this.bindings.forOwner(account.id))
        response.headers.append("contact", formatBindingContact(b, this.clock.now()));
      response.headers.set("date", this.httpDate(this.clock.now()));
      tx.respond(response);
      this.settled?.(account, tx.connection, 200, "OK");
      if (one) this.boundOne?.(account, tx, response, one);
    } catch (err) {
      if (!(err instanceof RegisterRejection)) throw err;
      const response = createResponse(request, err.status, err.reason, newTag());
      for (const [name, value] of Object.entries(err.extra)) response.headers.set(name, value);
      tx.respond(response);
      if (account) this.settled?.(account, tx.connection, err.status, err.reason);
      if (unknown !== undefined) this.reportUnknown(tx, unknown, err.status);
    }
  }

  /**
   * A REGISTER the shortcut recognised from its `bytes`, received on `connection`: the one that
   * made `contact`'s binding again, on the same connection, but for its Call-ID and CSeq (a
   * higher CSeq when the Call-ID is the binding's) and its credentials' nonce, nc, cnonce and
   * response. Done as handleRegister would do it — credentials checked, nonce count used,
   * lockout told, binding renewed, outcome settled — and the seconds of the 200's Contact
   * expires returned (its Date is `httpDate`). Undefined, with nothing changed, whenever
   * handleRegister could do anything else: it then takes the request.
   */
  refreshAtOnce(refresh: RecognisedRefresh, connection: SipConnection, bytes: Buffer): number | undefined {
    const { account, cseq } = refresh;
    // Each of these is a way handleRegister would answer otherwise (or ask more of the request).
    if (this.gate?.() !== undefined || this.admit !== undefined || !account.authRequired) return undefined;
    try {
      if (this.findAccount(account.username) !== account) return undefined;
    } catch {
      return undefined;
    }
    const existing = this.bindings.get(account.id, refresh.contact);
    if (
      existing === undefined ||
      existing.connectionId !== connection.id ||
      // RFC 3261 §10.3 step 7: handleRegister answers 500.
      (existing.callId === refresh.callId && existing.cseq >= cseq) ||
      this.bindings.countOf(account.id) !== 1
    ) {
      return undefined;
    }
    // The binding is on this connection: no lockout applies (see authenticate), and nothing
    // elsewhere is displaced or counted against the cap.
    const { credentials: c, username } = account;
    const confirmed =
      "password" in c
        ? this.digest.confirm(
            refresh.credentials,
            bytes,
            refresh.counted,
            "REGISTER",
            username,
            c.password,
            c.ha1Cache,
          )
        : this.digest.confirmHa1(refresh.credentials, bytes, refresh.counted, "REGISTER", c.ha1);
    if (!confirmed) return undefined;
    this.lockout.succeed(connection.remoteAddress, username);
    const now = this.clock.now();
    // The same binding as upsert would make of it, changed in place (see ContactBindings.renew).
    this.bindings.renew(existing, refresh.callId, cseq, now + refresh.expires * 1000);
    this.settled?.(account, connection, 200, "OK");
    return remainingSeconds(existing, now);
  }

  /** The Date header (RFC 3261 §20.17): formatted once per second, not per 200. */
  httpDate(now = this.clock.now()): string {
    const second = Math.floor(now / 1000);
    if (second !== this.dateSecond) {
      this.dateSecond = second;
      this.dateText = new Date(second * 1000).toUTCString();
    }
    return this.dateText;
  }

  /** A connection closed: its bindings vanish (nothing can reach their contacts without it). */
  connectionClosed(connectionId: string, reason: string): void {
    this.bindings.removeConnection(connectionId, `connection closed: ${reason}`);
  }

  /** The To user of a REGISTER ("" when the address-of-record has none). */
  private registeringUser(request: SipRequest): string {
    const to = request.to.uri;
    if (to.scheme !== "sip" && to.scheme !== "sips") {
      throw new RegisterRejection(400, "Bad Request: the To address-of-record must be a sip or sips URI");
    }
    return to.user ?? "";
  }

  /** An account for an unknown user that authenticates like a real one but never succeeds. */
  private decoy(user: string): RegistrarAccount {
    return { id: "", tenantId: "", username: user, credentials: { ha1: this.decoyHa1 }, authRequired: true };
  }

  private reportUnknown(tx: ServerTransaction, user: string, status: number): void {
    const { remoteAddress, remotePort } = tx.connection;
    this.unknownAccounts.emit({
      user,
      status,
      reason: `no ${this.kind.unknown} ${user || "(none)"}`,
      at: this.clock.now(),
      remote: `${remoteAddress}:${remotePort}`,
    });
  }

  /**
   * True when authenticated; otherwise the 401 has been sent. A decoy is refused exactly
   * where a wrong password would be, after the same work.
   */
  private authenticate(tx: ServerTransaction, account: RegistrarAccount, decoy: boolean): boolean {
    // The connection a registration of this account lives on proved the password already:
    // nobody else's failures lock it out (see AuthLockout for the other scopes).
    const source = tx.connection.remoteAddress;
    const target = account.username;
    const registeredHere = this.bindings.ownerHasConnection(account.id, tx.connection.id);
    const locked = registeredHere ? 0 : this.lockout.lockedFor(source, target);
    if (locked > 0) {
      throw new RegisterRejection(403, "Forbidden: too many failed authentication attempts", {
        "retry-after": String(Math.ceil(locked / 1000)),
      });
    }
    const { credentials: c, username } = account;
    let outcome =
      "password" in c
        ? this.digest.verify(tx.request, username, c.password, c.ha1Cache)
        : this.digest.verifyHa1(tx.request, username, c.ha1);
    if (decoy && outcome.kind === "ok") outcome = { kind: "wrong", why: "wrong password" };
    switch (outcome.kind) {
      case "ok":
        this.lockout.succeed(source, target);
        return true;
      case "challenge": {
        const response = createResponse(tx.request, 401, "Unauthorized", newTag());
        response.headers.set("www-authenticate", this.digest.challenges(outcome.stale));
        tx.respond(response);
        return false;
      }
      case "wrong":
        this.lockout.fail(source, target);
        throw new RegisterRejection(403, `Forbidden: ${outcome.why}`);
      case "bad-request":
        throw new RegisterRejection(400, `Bad Request: ${outcome.why}`);
    }
  }

  /** The change when the REGISTER bound exactly one contact (and removed none). */
  private updateBindings(tx: ServerTransaction, account: RegistrarAccount): ContactChange | undefined {
    const { request, connection } = tx;
    const changes = readContactChanges(request, this.options);
    if (changes === "*") {
      this.bindings.removeOwner(account.id, "unregistered");
      return undefined;
    }
    const { callId } = request;
    const cseq = request.cseq.seq;
    const before = changes.map((c) => this.bindings.get(account.id, c.key));
    for (const existing of before) {
      // RFC 3261 §10.3 step 7: an older or repeated CSeq of the same Call-ID must not win.
      if (existing && existing.callId === callId && existing.cseq >= cseq) {
        throw new RegisterRejection(500, "Server Internal Error: out-of-order REGISTER (CSeq not higher)");
      }
    }
    const adds: string[] = [];
    let grows = false;
    changes.forEach(({ key, expires }, i) => {
      if (expires === 0) return;
      adds.push(key);
      if (!before[i]) grows = true;
    });
    const displaced = this.displace?.(account, adds, connection.id);
    // A REGISTER that only refreshes or removes bindings cannot break the cap (the refresh of
    // a PBX, every few minutes): the count is worked out only when it could grow.
    if (grows || this.bindings.countOf(account.id) > this.kind.maxContacts) {
      // The bindings as they will be once the changes are made in order (§10.3 step 7).
      const current = new Set(this.bindings.contactsOf(account.id));
      for (const { key, expires } of changes) {
        if (expires === 0) current.delete(key);
        else current.add(key);
      }
      for (const contact of displaced?.contacts ?? []) current.delete(contact);
      if (current.size > this.kind.maxContacts) {
        throw new RegisterRejection(
          403,
          `Forbidden: at most ${this.kind.maxContacts} ${this.kind.perAccount}`,
        );
      }
    }
    if (displaced?.first) this.removeAll(account, displaced);
    const now = this.clock.now();
    const remote = { address: connection.remoteAddress, port: connection.remotePort };
    for (const { key, params, expires } of changes) {
      if (expires === 0) {
        this.bindings.remove(account.id, key, "unregistered");
        continue;
      }
      const existing = this.bindings.get(account.id, key);
      // A refresh keeps the strings and objects it repeats: the Call-ID read from this request
      // is a view of its whole header text, which the binding would otherwise keep alive.
      const sameRemote = existing?.remote.address === remote.address && existing.remote.port === remote.port;
      const binding = this.bind(
        account,
        {
          contact: key,
          contactParams: params,
          callId: existing?.callId === callId ? existing.callId : detachedString(callId),
          cseq,
          registeredAt: existing?.registeredAt ?? now,
          expiresAt: now + expires * 1000,
          connectionId: connection.id,
          transport: connection.protocol,
          remote: sameRemote ? existing.remote : remote,
        },
        request,
      );
      this.bindings.upsert(binding);
    }
    if (displaced && !displaced.first) this.removeAll(account, displaced);
    return changes.length === 1 && changes[0]!.expires > 0 ? changes[0] : undefined;
  }

  private removeAll(account: RegistrarAccount, displaced: Displacement): void {
    for (const contact of displaced.contacts) this.bindings.remove(account.id, contact, displaced.reason);
  }
}
