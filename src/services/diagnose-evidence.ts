import type { RegisterAttempt, TrunkStatusEvent } from "../registrar/index.js";
import { EvictionCursor } from "../shared/eviction-cursor.js";
import type { Listeners } from "../shared/listeners.js";
import type { Mutable } from "../shared/mutable.js";

/** A TLS handshake that failed, or a connection refused, as the transport reported it. */
export interface TransportFailure {
  /** The peer's address without the port (a PBX reconnects from a new port each time). */
  readonly address: string;
  readonly kind: "tls-error" | "connection-refused";
  readonly message: string;
  readonly at: number;
  /** How many failures of this address and kind so far. */
  readonly count: number;
}

/** PBX-side REST requests from one address refused for a missing or unknown API key. */
export interface ApiKeyRefusals {
  readonly address: string;
  /** Since the last request from this address that an API key let through. */
  readonly count: number;
  readonly at: number;
}

/** The transport's report (sip/transport's TransportEvent), as far as the diagnosis reads it. */
export interface TransportReport {
  readonly type: string;
  readonly remote?: string;
  readonly message: string;
}

export interface EvidenceSources {
  readonly now: () => number;
  readonly trunkStatus: Listeners<TrunkStatusEvent>;
  readonly attempts: Listeners<RegisterAttempt>;
  readonly transport: { on(fn: (event: TransportReport) => void): unknown };
}

/** Per trunk: the last status change, the last REGISTER refused and accepted, recent drops. */
export interface TrunkEvidence {
  lastStatus?: TrunkStatusEvent;
  lastRefusal?: RegisterAttempt;
  lastSuccess?: RegisterAttempt;
  /** The latest times the trunk became unavailable, oldest first (at most MAX_DROPS). */
  readonly drops: TrunkStatusEvent[];
}

const MAX_DROPS = 20;
/** Sources remembered at once; a scan from many addresses must not grow memory. */
const MAX_SOURCES = 256;
/**
 * Trunks with evidence at once. Deleted trunks are not announced, so the map is bounded
 * instead: past this, the trunk heard from least recently is forgotten.
 */
const MAX_TRUNKS = 10_000;

/**
 * What the emulator saw happen, kept for the diagnosis: REGISTER outcomes and status changes
 * per trunk (from the registrar), failed TLS handshakes and refused connections per source
 * address (from the SIP transport, which knows no tenants). Fed from the start, so a PBX that
 * failed before anyone asked is still explained.
 */
export class DiagnoseEvidence {
  private readonly trunks = new Map<string, TrunkNode>();
  /** The trunks by when they were last heard from: the ends of a list through the nodes. */
  private newest: TrunkNode | undefined;
  private oldest: TrunkNode | undefined;
  private readonly failures = new Map<string, TransportFailure>();
  private readonly evictFailure = new EvictionCursor(this.failures);
  private readonly apiKeys = new Map<string, ApiKeyRefusals>();
  private readonly evictApiKey = new EvictionCursor(this.apiKeys);
  private readonly now: () => number;

  constructor(sources: EvidenceSources) {
    this.now = sources.now;
    sources.trunkStatus.on((e) => {
      const t = this.trunk(e.trunkId);
      t.lastStatus = e;
      if (e.status === "unavailable") {
        t.drops.push(e);
        if (t.drops.length > MAX_DROPS) t.drops.shift();
      }
    });
    sources.attempts.on((a) => {
      const t = this.trunk(a.trunkId);
      if (a.status >= 300) t.lastRefusal = a;
      else if (t.lastSuccess === undefined) t.lastSuccess = { ...a };
      else {
        // A PBX refreshes all day: its last success is one record rewritten in place, not each
        // event kept (which would outlive a few garbage collections every time). Field by
        // field: Object.assign is the generic copy, several times slower on this path.
        const kept = t.lastSuccess as Mutable<RegisterAttempt>;
        kept.trunkId = a.trunkId;
        kept.status = a.status;
        kept.reason = a.reason;
        kept.at = a.at;
        kept.remote = a.remote;
      }
    });
    sources.transport.on((e) => {
      if ((e.type !== "tls-error" && e.type !== "connection-refused") || !e.remote) return;
      this.recordFailure(addressOf(e.remote), e.type, e.message, sources.now());
    });
  }

  /** What is known of a trunk (empty when nothing happened to it yet). */
  forTrunk(trunkId: string): Readonly<TrunkEvidence> {
    return this.trunks.get(trunkId)?.evidence ?? { drops: [] };
  }

  /** Transport failures at or after `since`, newest first. */
  failuresSince(since: number): TransportFailure[] {
    return [...this.failures.values()].filter((f) => f.at >= since).sort((a, b) => b.at - a.at);
  }

  /**
   * A PBX-side REST request from `address` was let through by its API key (`ok`) or refused
   * for a missing or unknown one: a refusal counts until the address gets through again.
   */
  recordApiKey(address: string, ok: boolean): void {
    const previous = this.apiKeys.get(address);
    this.apiKeys.delete(address);
    if (ok) return;
    this.apiKeys.set(address, { address, count: (previous?.count ?? 0) + 1, at: this.now() });
    if (this.apiKeys.size > MAX_SOURCES) this.evictApiKey.evictOldest();
  }

  /** Addresses whose latest PBX-side REST requests were refused for their API key, newest first. */
  apiKeyRefusals(): ApiKeyRefusals[] {
    return [...this.apiKeys.values()].sort((a, b) => b.at - a.at);
  }

  /**
   * The trunk's evidence, the trunk now the most recently heard from. Runs on every REGISTER
   * answered: pointer moves in the recency list, no allocation once the trunk is known.
   */
  private trunk(trunkId: string): TrunkEvidence {
    let node = this.trunks.get(trunkId);
    if (node === this.newest && node) return node.evidence;
    if (node) this.unlink(node);
    else {
      node = { trunkId, evidence: { drops: [] }, older: undefined, newer: undefined };
      this.trunks.set(trunkId, node);
      if (this.trunks.size > MAX_TRUNKS && this.oldest) {
        this.trunks.delete(this.oldest.trunkId);
        this.unlink(this.oldest);
      }
    }
    node.older = this.newest;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
    return node.evidence;
  }

  private unlink(node: TrunkNode): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    node.older = node.newer = undefined;
  }

  private recordFailure(address: string, kind: TransportFailure["kind"], message: string, at: number): void {
    const key = `${kind} ${address}`;
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    // Re-inserted, so the map's first key is the least recently failing source.
    this.failures.delete(key);
    this.failures.set(key, { address, kind, message, at, count });
    if (this.failures.size > MAX_SOURCES) this.evictFailure.evictOldest();
  }
}

/** A trunk's evidence in the recency list (older → newer). */
interface TrunkNode {
  readonly trunkId: string;
  readonly evidence: TrunkEvidence;
  older: TrunkNode | undefined;
  newer: TrunkNode | undefined;
}

/** "127.0.0.1:5061" → "127.0.0.1", "[::1]:5061" or "::1:5061" → "::1". */
function addressOf(remote: string): string {
  const bracketed = /^\[(.*)\]:\d+$/.exec(remote);
  if (bracketed) return bracketed[1]!;
  const colon = remote.lastIndexOf(":");
  return colon > 0 ? remote.slice(0, colon) : remote;
}
