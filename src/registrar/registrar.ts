import type { Clock } from "../shared/clock.js";
import { FailureLockout } from "../shared/failure-lockout.js";
import { newTag } from "../shared/ids.js";
import { Listeners } from "../shared/listeners.js";
import {
  createResponse,
  formatUri,
  type NameAddr,
  parseNameAddr,
  type SipRequest,
} from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import type { Binding, TrunkStatusEvent } from "./binding.js";
import { BindingTable } from "./binding-table.js";
import type { DigestAlgorithm } from "./digest.js";
import { DigestVerifier } from "./digest-verifier.js";
import { NonceService } from "./nonce-service.js";

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

/**
 * What happens when a trunk that is registered over one connection registers over another
 * with a different contact — a cloned or restored PBX using the same trunk identity (SPEC §1):
 * - `allow`: both keep their bindings (up to the contact limit);
 * - `reject`: the newcomer gets 403, the first PBX keeps the trunk;
 * - `last-wins`: the newcomer takes the trunk over silently (the connector stays available);
 * - `flap`: the newcomer takes over and the connector visibly drops and comes back each time
 *   the two PBXs re-register in turn.
 */
export interface RegisterAttempt {
  readonly trunkId: string;
  readonly status: number;
  readonly reason: string;
  readonly at: number;
  readonly remote: string;
}

export type DuplicateRegistrationPolicy = "allow" | "reject" | "last-wins" | "flap";

export interface RegistrarOptions {
  readonly realm: string;
  readonly defaultExpires: number;
  readonly minExpires: number;
  readonly maxExpires: number;
  readonly maxContactsPerTrunk: number;
  readonly nonceTtlMs: number;
  readonly digestAlgorithms: readonly DigestAlgorithm[];
  readonly duplicateRegistration: DuplicateRegistrationPolicy;
  readonly maxAuthFailures: number;
  readonly lockoutMs: number;
}

/** RFC 3261 §21.4.24 */
const INTERVAL_TOO_BRIEF = 423;
/** Expires values above 2^32-1 are not valid delta-seconds (RFC 4475 §3.1.2.4). */
const MAX_DELTA_SECONDS = 4294967295;

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
 * The registrar of the connector (RFC 3261 §10.3): digest-authenticated REGISTER from a
 * PBX's trunk user, bindings tied to the TLS connection the REGISTER came on.
 */
export class Registrar {
  readonly bindings: BindingTable;
  private readonly digest: DigestVerifier;
  private readonly lockout: FailureLockout;
  /** The outcome of each REGISTER of a known trunk (not the 401 challenges). */
  readonly attempts = new Listeners<RegisterAttempt>();
  /** Changeable at runtime (scenarios switch it). */
  duplicatePolicy: DuplicateRegistrationPolicy;

  constructor(
    private readonly options: RegistrarOptions,
    private readonly trunks: TrunkDirectory,
    private readonly clock: Clock,
    events: Listeners<TrunkStatusEvent>,
  ) {
    this.bindings = new BindingTable(clock, events);
    this.digest = new DigestVerifier(
      options.realm,
      new NonceService(clock, options.nonceTtlMs),
      options.digestAlgorithms,
    );
    this.lockout = new FailureLockout(clock, options.maxAuthFailures, options.lockoutMs);
    this.duplicatePolicy = options.duplicateRegistration;
  }

  handleRegister(tx: ServerTransaction): void {
    const request = tx.request;
    let trunk: RegistrarTrunk | undefined;
    try {
      trunk = this.lookupTrunk(request);
      if (trunk.authRequired && !this.authenticate(tx, trunk)) return;
      this.updateBindings(tx, trunk);
      const response = createResponse(request, 200, "OK", newTag());
      for (const b of this.bindings.forTrunk(trunk.id))
        response.headers.append("contact", this.formatBinding(b));
      response.headers.set("date", new Date(this.clock.now()).toUTCString());
      tx.respond(response);
      this.report(trunk, tx, 200, "OK");
    } catch (err) {
      if (!(err instanceof Reject)) throw err;
      const response = createResponse(request, err.status, err.reason, newTag());
      for (const [name, value] of Object.entries(err.extra)) response.headers.set(name, value);
      tx.respond(response);
      if (trunk) this.report(trunk, tx, err.status, err.reason);
    }
  }

  /** Final answers to a known trunk's REGISTERs (challenges excluded), for diagnosis. */
  private report(trunk: RegistrarTrunk, tx: ServerTransaction, status: number, reason: string): void {
    this.attempts.emit({
      trunkId: trunk.id,
      status,
      reason,
      at: this.clock.now(),
      remote: `${tx.connection.remoteAddress}:${tx.connection.remotePort}`,
    });
  }

  /** A connection closed: its bindings vanish (the PBX is unreachable without it). */
  connectionClosed(connectionId: string, reason: string): void {
    this.bindings.removeConnection(connectionId, `connection closed: ${reason}`);
  }

  private lookupTrunk(request: SipRequest): RegistrarTrunk {
    const to = request.to.uri;
    if (to.scheme !== "sip" && to.scheme !== "sips") {
      throw new Reject(400, "Bad Request: the To address-of-record must be a sip or sips URI");
    }
    const trunk = to.user === undefined ? undefined : this.trunks.findByUsername(to.user);
    if (!trunk) throw new Reject(404, `Not Found: no trunk with user ${to.user ?? "(none)"}`);
    return trunk;
  }

  /** True when authenticated; otherwise the response has been sent. */
  private authenticate(tx: ServerTransaction, trunk: RegistrarTrunk): boolean {
    // Keyed by source and user: an attacker elsewhere cannot lock the PBX out.
    const key = `${tx.connection.remoteAddress}|${trunk.username}`;
    const locked = this.lockout.lockedFor(key);
    if (locked > 0) {
      throw new Reject(403, "Forbidden: too many failed authentication attempts", {
        "retry-after": String(Math.ceil(locked / 1000)),
      });
    }
    const outcome = this.digest.verify(tx.request, trunk.username, trunk.password);
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

  private updateBindings(tx: ServerTransaction, trunk: RegistrarTrunk): void {
    const request = tx.request;
    const contacts = request.headers.getAll("contact");
    const headerExpires = parseExpires(request.headers.get("expires"), "Expires header");
    if (contacts.length === 1 && contacts[0]!.trim() === "*") {
      // RFC 3261 §10.3 step 6: "*" only alone and only with Expires: 0.
      if (headerExpires !== 0) throw new Reject(400, "Bad Request: Contact * requires Expires: 0");
      this.bindings.removeTrunk(trunk.id, "unregistered");
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
        throw new Reject(INTERVAL_TOO_BRIEF, "Interval Too Brief", {
          "min-expires": String(this.options.minExpires),
        });
      }
      return { contact, expires: Math.min(requested, this.options.maxExpires) };
    });
    const callId = request.callId;
    const cseq = request.cseq.seq;
    const now = this.clock.now();
    for (const { contact } of changes) {
      const existing = this.bindings.get(trunk.id, formatUri(contact.uri));
      // RFC 3261 §10.3 step 7: an older or repeated CSeq of the same Call-ID must not win.
      if (existing && existing.callId === callId && existing.cseq >= cseq) {
        throw new Reject(500, "Server Internal Error: out-of-order REGISTER (CSeq not higher)");
      }
    }
    const adds = changes.filter((c) => c.expires > 0).map((c) => formatUri(c.contact.uri));
    const current = new Set(this.bindings.forTrunk(trunk.id).map((b) => b.contact));
    for (const { contact, expires } of changes) if (expires === 0) current.delete(formatUri(contact.uri));
    for (const a of adds) current.add(a);
    const elsewhere = this.bindings
      .forTrunk(trunk.id)
      .filter((b) => b.connectionId !== tx.connection.id && !adds.includes(b.contact));
    if (elsewhere.length > 0 && adds.length > 0 && this.duplicatePolicy !== "allow") {
      if (this.duplicatePolicy === "reject") {
        throw new Reject(403, "Forbidden: trunk already registered from another connection (cloned system?)");
      }
      for (const b of elsewhere) current.delete(b.contact);
    }
    if (current.size > this.options.maxContactsPerTrunk) {
      throw new Reject(403, `Forbidden: at most ${this.options.maxContactsPerTrunk} contacts per trunk`);
    }
    const takeover = this.duplicatePolicy === "last-wins" || this.duplicatePolicy === "flap" ? elsewhere : [];
    const reason = "taken over by a registration from another connection (cloned system?)";
    // flap: the old registration goes first, so the connector is seen to drop and come back.
    if (this.duplicatePolicy === "flap")
      for (const b of takeover) this.bindings.remove(trunk.id, b.contact, reason);
    for (const { contact, expires } of changes) {
      const key = formatUri(contact.uri);
      if (expires === 0) {
        this.bindings.remove(trunk.id, key, "unregistered");
        continue;
      }
      const { expires: _dropped, ...contactParams } = contact.params;
      const existing = this.bindings.get(trunk.id, key);
      const binding: Binding = {
        trunkId: trunk.id,
        tenantId: trunk.tenantId,
        aor: trunk.username,
        contact: key,
        contactParams,
        callId,
        cseq,
        registeredAt: existing?.registeredAt ?? now,
        expiresAt: now + expires * 1000,
        connectionId: tx.connection.id,
        transport: tx.connection.protocol,
        remote: { address: tx.connection.remoteAddress, port: tx.connection.remotePort },
      };
      this.bindings.upsert(binding);
    }
    // last-wins: the new binding is in place first, so the trunk never looks unavailable.
    if (this.duplicatePolicy === "last-wins")
      for (const b of takeover) this.bindings.remove(trunk.id, b.contact, reason);
  }

  private formatBinding(b: Binding): string {
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
