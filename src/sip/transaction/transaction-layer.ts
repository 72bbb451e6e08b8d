import type { Clock, TimerHandle } from "../../shared/clock.js";
import { newTag } from "../../shared/ids.js";
import { createResponse, type SipRequest, type SipResponse } from "../message/index.js";
import type { SipConnection } from "../transport/index.js";
import { isRfc3261Branch } from "./branch.js";
import type {
  ClientTransaction,
  ClientTransactionBase,
  ClientTransactionDelegate,
} from "./client-transaction.js";
import { InviteClientTransaction } from "./invite-client-transaction.js";
import { InviteServerTransaction } from "./invite-server-transaction.js";
import { NonInviteClientTransaction } from "./non-invite-client-transaction.js";
import { NonInviteServerTransaction } from "./non-invite-server-transaction.js";
import type { ServerTransaction, ServerTransactionBase } from "./server-transaction.js";
import type { TransactionCounts, TransactionHost } from "./transaction-host.js";
import {
  branchKey,
  clientKey,
  clientKeyOfResponse,
  hasRfc3261Branch,
  mergeKey,
  mergeKeyOf,
  serverKey,
} from "./transaction-key.js";
import { DEFAULT_TRANSACTION_TIMERS, type TransactionTimers } from "./transaction-timers.js";

export interface TransactionUser {
  /** A new request: not a retransmission, not a CANCEL, not an ACK that matched. */
  onRequest(transaction: ServerTransaction): void;
  /** An ACK that matched no server transaction, or an ACK for a 2xx (dialog layer). */
  onAck(ack: SipRequest, connection: SipConnection): void;
  /** A CANCEL matched this unanswered INVITE (the layer already sent 200 to the CANCEL): answer it 487. */
  onCancel(invite: ServerTransaction, cancel: SipRequest): void;
  onStrayResponse?(response: SipResponse, connection: SipConnection): void;
}

interface DrainWaiter {
  resolve(): void;
  timer: TimerHandle;
}

/**
 * The RFC 3261 §17 transaction layer: matches requests and responses to transactions,
 * answers retransmissions, CANCEL (§9.2) and merged requests (§8.2.2.2) on its own, and
 * hands everything else to the transaction user.
 */
export class TransactionLayer implements TransactionHost {
  readonly clock: Clock;
  readonly timers: TransactionTimers;
  readonly counts: TransactionCounts = { server: 0, client: 0, retransmitted: 0, absorbed: 0 };
  private readonly user: TransactionUser;
  private readonly servers = new Map<string, ServerTransactionBase>();
  private readonly merged = new Map<string, ServerTransactionBase>();
  // Entries of `servers` and of `merged` by method (see hasServerTransactions).
  private readonly serversByMethod = new Map<string, number>();
  private readonly mergedByMethod = new Map<string, number>();
  private readonly clients = new Map<string, ClientTransactionBase>();
  private pending = 0;
  private drainWaiters: DrainWaiter[] = [];

  constructor(options: { clock: Clock; user: TransactionUser; timers?: Partial<TransactionTimers> }) {
    this.clock = options.clock;
    this.user = options.user;
    this.timers = { ...DEFAULT_TRANSACTION_TIMERS, ...options.timers };
  }

  /** Live transactions, server and client. */
  get size(): number {
    return this.servers.size + this.clients.size;
  }

  /** Server transactions still waiting for a final response. */
  get pendingServerTransactions(): number {
    return this.pending;
  }

  receiveRequest(request: SipRequest, connection: SipConnection): void {
    let key: string;
    let legacy: boolean;
    let toTag: string | null | undefined;
    try {
      legacy = !hasRfc3261Branch(request);
      key = serverKey(request, request.method === "ACK" ? "INVITE" : request.method);
      toTag = request.to.params.tag;
    } catch {
      // Via, From, To, Call-ID or CSeq unusable: the transport validates messages, so this is a
      // request nobody can be answered for; never let a peer's message throw out of here.
      return;
    }
    if (request.method === "ACK") {
      this.receiveAck(request, connection, key, legacy);
      return;
    }
    const existing = this.servers.get(key);
    // RFC 3261 §17.2.3 (RFC 2543 rules): the To tag must equal the original request's too.
    if (existing && (!legacy || existing.request.to.params.tag === toTag)) {
      this.counts.absorbed++;
      existing.receive(request, connection);
      return;
    }
    if (request.method === "CANCEL") {
      this.receiveCancel(request, connection, key, legacy);
      return;
    }
    const merge = toTag === undefined ? mergeKey(request) : undefined;
    if (request.method !== "INVITE") {
      this.receiveNonInvite(request, connection, key, merge);
      return;
    }
    const transaction = this.createServer(request, connection, key, merge);
    if (transaction.state === "terminated") return;
    if (merge !== undefined && this.merged.get(merge) !== transaction) {
      this.answerMerged(transaction);
      return;
    }
    this.user.onRequest(transaction);
  }

  /** RFC 3261 §8.2.2.2: same From tag, Call-ID and CSeq as a live transaction but no match by
   * §17.2.3: the request was merged (it forked and came back); answer 482. */
  private answerMerged(transaction: ServerTransactionBase): void {
    transaction.respond(createResponse(transaction.request, 482, "Loop Detected", newTag()));
  }

  /**
   * A new non-INVITE request. Its transaction enters the table only if it is still alive when
   * the transaction user returns: a REGISTER or OPTIONS answered at once over TLS/TCP (Timer J
   * is zero) never costs a table entry, while one answered later, or a UDP transaction in
   * Completed, is matched by retransmissions as usual. Nothing can arrive for it meanwhile.
   */
  private receiveNonInvite(
    request: SipRequest,
    connection: SipConnection,
    key: string,
    merge: string | undefined,
  ): void {
    const transaction = new NonInviteServerTransaction(this, key, request, connection, merge);
    this.counts.server++;
    this.pending++;
    try {
      if (merge !== undefined && this.merged.has(merge)) this.answerMerged(transaction);
      else this.user.onRequest(transaction);
    } finally {
      if (transaction.state !== "terminated") {
        // The connection went while the user ran: nothing would ever end the transaction.
        if (!connection.open) transaction.terminate();
        else this.enter(transaction, key, merge);
      }
    }
  }

  /**
   * Whether a live server transaction of `method` exists: while none does, every request of
   * that method is new (`isNewRequest`), which a caller may know without building its keys.
   */
  hasServerTransactions(method: string): boolean {
    return this.serversByMethod.has(method) || this.mergedByMethod.has(method);
  }

  /**
   * For a shortcut above this layer that answers a non-INVITE request at once from its bytes
   * (the registrar's refresh shortcut): true when the request would start a new transaction
   * here — no live one has its branch (§17.2.3) and, for a request without a To tag, none
   * merges with it (§8.2.2.2: `merge` holds its From tag, "" when none, Call-ID and CSeq
   * number). `topVia` gives the sent-by; its own branch is not read.
   */
  isNewRequest(
    method: string,
    branch: string,
    topVia: SipRequest["topVia"],
    merge: { readonly fromTag: string; readonly callId: string; readonly seq: number } | undefined,
  ): boolean {
    if (this.servers.has(branchKey(method, branch, topVia))) return false;
    return (
      merge === undefined || !this.merged.has(mergeKeyOf(merge.fromTag, merge.callId, merge.seq, method))
    );
  }

  /** A request the shortcut answered: counted as a server transaction that ended at once. */
  countAnswered(): void {
    this.counts.server++;
  }

  receiveResponse(response: SipResponse, connection: SipConnection): void {
    let key: string | undefined;
    try {
      key = clientKeyOfResponse(response);
    } catch {
      key = undefined;
    }
    const transaction = key === undefined ? undefined : this.clients.get(key);
    const status = response.status;
    if (!transaction || !(status >= 100 && status <= 699)) {
      this.user.onStrayResponse?.(response, connection);
      return;
    }
    transaction.receiveResponse(response);
  }

  sendRequest(
    request: SipRequest,
    connection: SipConnection,
    delegate: ClientTransactionDelegate,
  ): ClientTransaction {
    const method = request.method;
    if (method === "ACK") throw new Error("ACK is not sent through a client transaction");
    const branch = request.topVia.branch;
    if (!isRfc3261Branch(branch))
      throw new Error(`request needs a top Via branch with the magic cookie, got ${branch}`);
    const key = clientKey(method, branch);
    if (this.clients.has(key)) throw new Error(`a client transaction ${key} already exists`);
    const transaction =
      method === "INVITE"
        ? new InviteClientTransaction(this, key, request, connection, delegate)
        : new NonInviteClientTransaction(this, key, request, connection, delegate);
    this.clients.set(key, transaction);
    this.counts.client++;
    transaction.start();
    if (method === "CANCEL") {
      const invite = this.clients.get(clientKey("INVITE", branch));
      if (invite instanceof InviteClientTransaction) invite.cancelSent();
    }
    return transaction;
  }

  /**
   * Every transaction on the connection ends; client transactions still waiting for a final
   * response report onTransportError.
   */
  connectionClosed(connection: SipConnection): void {
    for (const transaction of this.servers.values()) {
      if (transaction.connection === connection) transaction.terminate();
    }
    for (const transaction of this.clients.values()) {
      if (transaction.connection === connection) transaction.connectionLost();
    }
  }

  /** Resolves once no server transaction waits for a final response, or after timeoutMs. */
  drain(timeoutMs: number): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: DrainWaiter = {
        resolve,
        timer: this.clock.setTimer(timeoutMs, () => {
          this.drainWaiters = this.drainWaiters.filter((w) => w !== waiter);
          resolve();
        }),
      };
      this.drainWaiters.push(waiter);
    });
  }

  /** Cancel every timer and forget every transaction, silently. */
  close(): void {
    for (const transaction of this.servers.values()) transaction.dispose();
    for (const transaction of this.clients.values()) transaction.dispose();
    this.servers.clear();
    this.merged.clear();
    this.serversByMethod.clear();
    this.mergedByMethod.clear();
    this.clients.clear();
    this.pending = 0;
    this.resolveDrainWaiters();
  }

  removeServer(transaction: ServerTransactionBase): void {
    const method = transaction.request.method;
    if (this.servers.get(transaction.id) === transaction) {
      this.servers.delete(transaction.id);
      count(this.serversByMethod, method, -1);
    }
    const merge = transaction.mergeKey;
    if (merge !== undefined && this.merged.get(merge) === transaction) {
      this.merged.delete(merge);
      count(this.mergedByMethod, method, -1);
    }
  }

  removeClient(transaction: ClientTransactionBase): void {
    if (this.clients.get(transaction.id) === transaction) this.clients.delete(transaction.id);
  }

  settled(): void {
    this.pending--;
    if (this.pending === 0 && this.drainWaiters.length > 0) this.resolveDrainWaiters();
  }

  passAck(ack: SipRequest, connection: SipConnection): void {
    this.user.onAck(ack, connection);
  }

  private receiveAck(ack: SipRequest, connection: SipConnection, key: string, legacy: boolean): void {
    const invite = this.servers.get(key);
    // RFC 3261 §17.2.3: an ACK matches the INVITE transaction it acknowledges; with RFC 2543
    // rules its To tag must equal that of the response the transaction sent.
    if (
      invite instanceof InviteServerTransaction &&
      (!legacy || invite.responseToTag === ack.to.params.tag)
    ) {
      invite.receive(ack, connection);
      return;
    }
    // RFC 3261 §17.2.3 / RFC 6026: an ACK for a 2xx has its own branch and goes to the TU.
    this.user.onAck(ack, connection);
  }

  /** RFC 3261 §9.2: the layer answers CANCEL itself and tells the TU about the INVITE. */
  private receiveCancel(cancel: SipRequest, connection: SipConnection, key: string, legacy: boolean): void {
    const found = this.servers.get(serverKey(cancel, "INVITE"));
    const invite =
      found instanceof InviteServerTransaction &&
      (!legacy || found.request.to.params.tag === cancel.to.params.tag)
        ? found
        : undefined;
    const transaction = this.createServer(cancel, connection, key, undefined);
    if (transaction.state === "terminated") return;
    if (!invite) {
      transaction.respond(createResponse(cancel, 481, "Call/Transaction Does Not Exist", newTag()));
      return;
    }
    // RFC 3261 §9.2: the To tag of the 200 to the CANCEL SHOULD equal that of the INVITE's response.
    transaction.respond(createResponse(cancel, 200, "OK", invite.responseToTag ?? newTag()));
    if (invite.awaitingFinal) this.user.onCancel(invite, cancel);
  }

  private createServer(
    request: SipRequest,
    connection: SipConnection,
    key: string,
    merge: string | undefined,
  ): ServerTransactionBase {
    const transaction =
      request.method === "INVITE"
        ? new InviteServerTransaction(this, key, request, connection, merge)
        : new NonInviteServerTransaction(this, key, request, connection, merge);
    this.enter(transaction, key, merge);
    this.counts.server++;
    this.pending++;
    if (transaction instanceof InviteServerTransaction) transaction.start();
    return transaction;
  }

  /** Into the table, and into the §8.2.2.2 merge index unless a live transaction holds its key. */
  private enter(transaction: ServerTransactionBase, key: string, merge: string | undefined): void {
    const method = transaction.request.method;
    // A key holds one transaction (of the key's method): replacing one leaves the count.
    if (!this.servers.has(key)) count(this.serversByMethod, method, 1);
    this.servers.set(key, transaction);
    if (merge !== undefined && !this.merged.has(merge)) {
      this.merged.set(merge, transaction);
      count(this.mergedByMethod, method, 1);
    }
  }

  private resolveDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) {
      this.clock.clearTimer(waiter.timer);
      waiter.resolve();
    }
  }
}

/** Adds `delta` to the count of `method`; a count that reaches zero is removed. */
function count(counts: Map<string, number>, method: string, delta: number): void {
  const n = (counts.get(method) ?? 0) + delta;
  if (n > 0) counts.set(method, n);
  else counts.delete(method);
}
