import type { Clock } from "../shared/clock.js";
import { FailureLockout } from "../shared/failure-lockout.js";
import { newTag } from "../shared/ids.js";
import {
  createResponse,
  formatUri,
  type NameAddr,
  parseNameAddr,
  type SipRequest,
  type SipUri,
} from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import { type ClientBinding, ClientBindings } from "./client-bindings.js";
import type { DigestAlgorithm } from "./digest.js";
import { DigestVerifier } from "./digest-verifier.js";
import { NonceService } from "./nonce-service.js";

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

export interface ClientRegistrarOptions {
  readonly realm: string;
  readonly defaultExpires: number;
  readonly minExpires: number;
  readonly maxExpires: number;
  /** Clients one user may have registered at once (browser tabs, phones…). */
  readonly maxContactsPerUser: number;
  readonly nonceTtlMs: number;
  readonly digestAlgorithms: readonly DigestAlgorithm[];
  readonly maxAuthFailures: number;
  readonly lockoutMs: number;
}

/** Entity ids of users start with this (src/domain/ids.ts); trunk usernames are 10 digits. */
const USER_ID_PREFIX = "us_";
/** Expires values above 2^32-1 are not valid delta-seconds (RFC 4475 §3.1.2.4). */
const MAX_DELTA_SECONDS = 4294967295;

/**
 * True for a Unify Phone client's address-of-record, `sip:<userId>@<domain>`. The user is
 * named by its id, not its e-mail: ids need no escaping in a SIP URI and never change.
 */
export function isClientAor(uri: SipUri): boolean {
  return uri.user?.startsWith(USER_ID_PREFIX) ?? false;
}

class Reject extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(reason);
  }
}

/**
 * The registrar for emulated Unify Phone clients (RFC 3261 §10.3 over RFC 7118
 * WebSockets): a user AOR, digest checked against stored HA1s, several clients per user,
 * bindings tied to the connection and expiring on the emulator clock. The rules match
 * the trunk Registrar's (401/stale/nc replay/403 + lockout/423/cap/`*`/CSeq order).
 */
export class ClientRegistrar {
  readonly bindings: ClientBindings;
  private readonly digest: DigestVerifier;
  private readonly lockout: FailureLockout;

  constructor(
    private readonly options: ClientRegistrarOptions,
    private readonly accounts: ClientAccountDirectory,
    private readonly clock: Clock,
  ) {
    this.bindings = new ClientBindings(clock);
    this.digest = new DigestVerifier(
      options.realm,
      new NonceService(clock, options.nonceTtlMs),
      options.digestAlgorithms,
    );
    this.lockout = new FailureLockout(clock, options.maxAuthFailures, options.lockoutMs);
  }

  handleRegister(tx: ServerTransaction): void {
    const request = tx.request;
    try {
      const account = this.lookupAccount(request);
      if (!this.authenticate(tx, account)) return;
      this.updateBindings(tx, account);
      const response = createResponse(request, 200, "OK", newTag());
      for (const b of this.bindings.forUser(account.userId))
        response.headers.append("contact", this.formatBinding(b));
      response.headers.set("date", new Date(this.clock.now()).toUTCString());
      tx.respond(response);
    } catch (err) {
      if (!(err instanceof Reject)) throw err;
      const response = createResponse(request, err.status, err.reason, newTag());
      for (const [name, value] of Object.entries(err.extra)) response.headers.set(name, value);
      tx.respond(response);
    }
  }

  /** A connection closed: the clients on it are gone (nothing can reach them any more). */
  connectionClosed(connectionId: string, reason: string): void {
    this.bindings.removeConnection(connectionId, `connection closed: ${reason}`);
  }

  private lookupAccount(request: SipRequest): ClientAccount {
    const to = request.to.uri;
    if (to.scheme !== "sip" && to.scheme !== "sips") {
      throw new Reject(400, "Bad Request: the To address-of-record must be a sip or sips URI");
    }
    const account = to.user === undefined ? undefined : this.accounts.findClientAccount(to.user);
    if (!account) throw new Reject(404, `Not Found: no client account for user ${to.user ?? "(none)"}`);
    if (account.realm !== this.options.realm) {
      throw new Reject(
        403,
        `Forbidden: the client password was set for realm ${account.realm}; set it again for ${this.options.realm}`,
      );
    }
    return account;
  }

  /** True when authenticated; otherwise the 401 has been sent. */
  private authenticate(tx: ServerTransaction, account: ClientAccount): boolean {
    // Keyed by source and user: a client elsewhere cannot lock the user out.
    const key = `${tx.connection.remoteAddress}|${account.userId}`;
    const locked = this.lockout.lockedFor(key);
    if (locked > 0) {
      throw new Reject(403, "Forbidden: too many failed authentication attempts", {
        "retry-after": String(Math.ceil(locked / 1000)),
      });
    }
    const outcome = this.digest.verifyHa1(tx.request, account.userId, account.ha1);
    switch (outcome.kind) {
      case "ok":
        this.lockout.succeed(key);
        return true;
      case "challenge": {
        const response = createResponse(tx.request, 401, "Unauthorized", newTag());
        response.headers.set("www-authenticate", this.digest.challenges(outcome.stale));
        tx.respond(response);
        return false;
      }
      case "wrong":
        this.lockout.fail(key);
        throw new Reject(403, `Forbidden: ${outcome.why}`);
      case "bad-request":
        throw new Reject(400, `Bad Request: ${outcome.why}`);
    }
  }

  private updateBindings(tx: ServerTransaction, account: ClientAccount): void {
    const request = tx.request;
    const contacts = request.headers.getAll("contact");
    const headerExpires = parseExpires(request.headers.get("expires"), "Expires header");
    if (contacts.length === 1 && contacts[0]!.trim() === "*") {
      // RFC 3261 §10.3 step 6: "*" only alone and only with Expires: 0.
      if (headerExpires !== 0) throw new Reject(400, "Bad Request: Contact * requires Expires: 0");
      this.bindings.removeUser(account.userId, "unregistered");
      return;
    }
    if (contacts.some((c) => c.trim() === "*"))
      throw new Reject(400, "Bad Request: Contact * must be the only Contact");
    const changes = contacts.map((text) => {
      let contact: NameAddr;
      try {
        contact = parseNameAddr(text);
      } catch {
        throw new Reject(400, "Bad Request: malformed Contact");
      }
      const own = parseExpires(contact.params.expires ?? undefined, "Contact expires parameter");
      const requested = own ?? headerExpires ?? this.options.defaultExpires;
      if (requested > 0 && requested < this.options.minExpires) {
        throw new Reject(423, "Interval Too Brief", { "min-expires": String(this.options.minExpires) });
      }
      return { contact, key: formatUri(contact.uri), expires: Math.min(requested, this.options.maxExpires) };
    });
    const { callId } = request;
    const cseq = request.cseq.seq;
    for (const { key } of changes) {
      const existing = this.bindings.get(account.userId, key);
      // RFC 3261 §10.3 step 7: an older or repeated CSeq of the same Call-ID must not win.
      if (existing && existing.callId === callId && existing.cseq >= cseq) {
        throw new Reject(500, "Server Internal Error: out-of-order REGISTER (CSeq not higher)");
      }
    }
    const current = new Set(this.bindings.forUser(account.userId).map((b) => b.contact));
    for (const { key, expires } of changes) {
      if (expires === 0) current.delete(key);
      else current.add(key);
    }
    if (current.size > this.options.maxContactsPerUser) {
      throw new Reject(403, `Forbidden: at most ${this.options.maxContactsPerUser} clients per user`);
    }
    const now = this.clock.now();
    const aor = formatUri({ ...request.to.uri, params: {}, headers: {} });
    for (const { contact, key, expires } of changes) {
      if (expires === 0) {
        this.bindings.remove(account.userId, key, "unregistered");
        continue;
      }
      const { expires: _dropped, ...contactParams } = contact.params;
      const binding: ClientBinding = {
        userId: account.userId,
        tenantId: account.tenantId,
        aor,
        contact: key,
        contactParams,
        callId,
        cseq,
        registeredAt: this.bindings.get(account.userId, key)?.registeredAt ?? now,
        expiresAt: now + expires * 1000,
        connectionId: tx.connection.id,
        transport: tx.connection.protocol,
        remote: { address: tx.connection.remoteAddress, port: tx.connection.remotePort },
        userAgent: request.headers.get("user-agent") ?? null,
      };
      this.bindings.upsert(binding);
    }
  }

  private formatBinding(b: ClientBinding): string {
    const remaining = Math.max(0, Math.round((b.expiresAt - this.clock.now()) / 1000));
    let text = `<${b.contact}>`;
    for (const [name, value] of Object.entries(b.contactParams))
      text += value === null ? `;${name}` : `;${name}=${value}`;
    return `${text};expires=${remaining}`;
  }
}

function parseExpires(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^\d+$/.test(text)) throw new Reject(400, `Bad Request: ${what} is not a number of seconds`);
  const n = Number(text);
  // Larger than delta-seconds allows: treat as "as long as you let me".
  return n > MAX_DELTA_SECONDS ? Number.MAX_SAFE_INTEGER : n;
}
