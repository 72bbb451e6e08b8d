import type { User, VoiceMailbox } from "../domain/index.js";
import type { Clock } from "../shared/clock.js";
import { newCallId } from "../shared/ids.js";
import type { SipRouter } from "../sip/core/index.js";
import { Dialog, dialogKeyOfIncoming, newDialogTag } from "../sip/dialog/index.js";
import { createResponse, Headers, SipRequest } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import { newBranch } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import {
  buildMessageSummary,
  MESSAGE_SUMMARY_TYPE,
  MessageSummaryError,
  mailboxOf,
  parseMessageSummary,
} from "./mwi-body.js";
import { MIN_MWI_EXPIRES, type MwiSubscription, requestedExpires } from "./mwi-subscription.js";
import { findUserByNumber } from "./number-plan.js";
import type { CallDirectory, Reachability, Signalling } from "./ports.js";

/** Where the users' mailboxes live (the MWI service): SIP-free counts. */
export interface MailboxPort {
  /** The user's mailbox as last reported (nothing waiting when never reported). */
  mailbox(userId: string): VoiceMailbox;
  /** The PBX reported the user's mailbox; the service keeps it and tells who listens. */
  report(user: User, mailbox: VoiceMailbox, source: string): void;
}

export type MwiNotifierPorts = Pick<CallDirectory, "trunk" | "userByNumber" | "user"> &
  Pick<
    Reachability,
    "trunksOnConnection" | "usersOnConnection" | "reachableClients" | "trunkDialogFlow" | "clientDialogFlow"
  > &
  Pick<Signalling, "endpoint" | "domain" | "send"> & {
    readonly timers: Pick<Clock, "now" | "setTimer" | "clearTimer">;
    readonly mailboxes: MailboxPort;
  };

const EVENT = "message-summary";
/** Bound on live subscriptions (all users): a runaway subscriber gets 503, not our memory. */
const MAX_SUBSCRIPTIONS = 10_000;
const MAX_EXPIRES = 3600;

/**
 * Message waiting indication (RFC 3842 over RFC 6665) at the connector. From the PBX over a
 * trunk: unsolicited NOTIFYs with a user's message summary (the connector keeps it), and
 * SUBSCRIBEs for a user's summary. From Unify Phone clients over their WebSocket: SUBSCRIBEs
 * for their own mailbox. Each change goes to every subscription of the user, and as an
 * unsolicited NOTIFY to each registered client that did not subscribe.
 */
export class MwiNotifier {
  private readonly subscriptions = new Map<string, MwiSubscription>();

  constructor(private readonly ctx: MwiNotifierPorts) {}

  install(router: SipRouter): void {
    // Other event packages stay unhandled (405, the unmatched journal), as before MWI.
    router.on("NOTIFY", (tx) => this.notify(tx), { acceptBody: [MESSAGE_SUMMARY_TYPE], events: [EVENT] });
    router.on("SUBSCRIBE", (tx) => this.subscribe(tx), { events: [EVENT] });
  }

  /** How many subscriptions are live (diagnostics, tests). */
  get size(): number {
    return this.subscriptions.size;
  }

  /** The user's mailbox changed: NOTIFY their subscribers and their clients that did not subscribe. */
  mailboxChanged(userId: string): void {
    const mailbox = this.ctx.mailboxes.mailbox(userId);
    const subscribedConnections = new Set<string>();
    for (const sub of [...this.subscriptions.values()]) {
      if (sub.userId !== userId) continue;
      subscribedConnections.add(sub.dialog.connection.id);
      this.sendNotify(sub, `active;expires=${this.secondsLeft(sub)}`, mailbox);
    }
    for (const { binding, connection } of this.ctx.reachableClients(userId)) {
      if (subscribedConnections.has(connection.id)) continue;
      this.ctx.send(this.unsolicited(userId, binding.contact, connection, mailbox), connection, {
        onResponse: () => {},
      });
    }
  }

  /** Shutdown: end every subscription with a terminating NOTIFY (RFC 6665 §4.2.2). */
  close(): void {
    for (const sub of [...this.subscriptions.values()]) this.end(sub, "terminated;reason=noresource");
  }

  private notify(tx: ServerTransaction): void {
    const { request } = tx;
    if (request.to.params.tag) {
      // We subscribe to nothing, so no NOTIFY can belong to a subscription of ours.
      respond(tx, 481, "Call/Transaction Does Not Exist: no such subscription");
      return;
    }
    const trunkId = this.ctx.trunksOnConnection(tx.connection.id)[0];
    const trunk = trunkId === undefined ? undefined : this.ctx.trunk(trunkId);
    if (!trunk) {
      respond(tx, 403, "Forbidden: NOTIFY not from a registered trunk connection");
      return;
    }
    const dialed = request.requestUri.user ?? request.to.uri.user ?? "";
    const user = findUserByNumber(dialed, (n) => this.ctx.userByNumber(trunk.tenantId, n));
    if (!user) {
      respond(tx, 404, `Not Found: no user with number ${dialed.slice(0, 32)}`);
      return;
    }
    if (request.body.length === 0) {
      respond(tx, 400, "Bad Request: message-summary NOTIFY without a body");
      return;
    }
    let mailbox: VoiceMailbox;
    try {
      mailbox = mailboxOf(parseMessageSummary(request.body.toString("utf8")));
    } catch (err) {
      if (err instanceof MessageSummaryError) {
        respond(tx, 400, err.message);
        return;
      }
      throw err;
    }
    respond(tx, 200, "OK");
    this.ctx.mailboxes.report(user, mailbox, `NOTIFY from trunk ${trunk.name}`);
  }

  private subscribe(tx: ServerTransaction): void {
    const { request } = tx;
    const expires = requestedExpires(request);
    if (typeof expires === "string") {
      respond(tx, 400, expires);
      return;
    }
    if (expires !== 0 && expires < MIN_MWI_EXPIRES) {
      respond(tx, 423, "Interval Too Brief", { "min-expires": String(MIN_MWI_EXPIRES) });
      return;
    }
    if (request.to.params.tag) {
      this.refresh(tx, Math.min(expires, MAX_EXPIRES));
      return;
    }
    const target = this.subscriber(tx);
    if (typeof target === "string") {
      const [status, reason] = [Number(target.slice(0, 3)), target.slice(4)];
      respond(tx, status, reason);
      return;
    }
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      respond(tx, 503, "Service Unavailable: too many subscriptions", { "retry-after": "60" });
      return;
    }
    const tag = newDialogTag();
    const dialog = Dialog.asUas(request, tag, tx.connection, this.ctx.endpoint, "confirmed");
    dialog.followFlow(
      target.side === "pbx"
        ? this.ctx.trunkDialogFlow(target.trunkId)
        : this.ctx.clientDialogFlow(target.user.id, dialog.remoteTarget),
    );
    const sub: MwiSubscription = {
      dialog,
      userId: target.user.id,
      tenantId: target.user.tenantId,
      side: target.side,
      account: `sip:${request.requestUri.user ?? target.user.id}@${this.ctx.domain}`,
      expiresAt: 0,
    };
    const granted = Math.min(expires, MAX_EXPIRES);
    this.accept(tx, tag, granted);
    if (granted === 0) {
      // A fetch (RFC 6665 §4.4.3): one NOTIFY with the state, the subscription ends at once.
      this.sendNotify(sub, "terminated;reason=timeout", this.ctx.mailboxes.mailbox(sub.userId));
      return;
    }
    this.subscriptions.set(dialog.key, sub);
    this.arm(sub, granted);
    this.sendNotify(sub, `active;expires=${granted}`, this.ctx.mailboxes.mailbox(sub.userId));
  }

  /** A SUBSCRIBE inside a subscription: refresh it, or end it with Expires: 0. */
  private refresh(tx: ServerTransaction, granted: number): void {
    const key = dialogKeyOfIncoming(tx.request);
    const sub = key === undefined ? undefined : this.subscriptions.get(key);
    if (!sub) {
      respond(tx, 481, "Call/Transaction Does Not Exist: no such subscription");
      return;
    }
    if (!sub.dialog.acceptIncoming(tx.request)) {
      respond(tx, 500, "Server Internal Error: CSeq out of order");
      return;
    }
    this.accept(tx, sub.dialog.localTag, granted);
    if (granted === 0) {
      this.end(sub, "terminated;reason=timeout");
      return;
    }
    this.arm(sub, granted);
    this.sendNotify(sub, `active;expires=${granted}`, this.ctx.mailboxes.mailbox(sub.userId));
  }

  /** Who may subscribe: a trunk for a user of its tenant, or a client for its own user. */
  private subscriber(
    tx: ServerTransaction,
  ): { side: "pbx"; trunkId: string; user: User } | { side: "client"; user: User } | string {
    const { request, connection } = tx;
    const wanted = request.requestUri.user ?? "";
    const trunkId = this.ctx.trunksOnConnection(connection.id)[0];
    const trunk = trunkId === undefined ? undefined : this.ctx.trunk(trunkId);
    if (trunk) {
      const user = findUserByNumber(wanted, (n) => this.ctx.userByNumber(trunk.tenantId, n));
      return user
        ? { side: "pbx", trunkId: trunk.id, user }
        : `404 Not Found: no user with number ${wanted.slice(0, 32)}`;
    }
    if (this.ctx.usersOnConnection(connection.id).includes(wanted)) {
      const user = this.ctx.user(wanted);
      if (user) return { side: "client", user };
    }
    return "403 Forbidden: SUBSCRIBE not from a registered trunk, nor from a client of that user";
  }

  private accept(tx: ServerTransaction, tag: string, granted: number): void {
    const response = createResponse(tx.request, 200, "OK", tag);
    response.headers.set("contact", `<${this.ctx.endpoint.contact(tx.connection)}>`);
    response.headers.set("expires", String(granted));
    tx.respond(response);
  }

  private arm(sub: MwiSubscription, seconds: number): void {
    if (sub.timer) this.ctx.timers.clearTimer(sub.timer);
    sub.expiresAt = this.ctx.timers.now() + seconds * 1000;
    sub.timer = this.ctx.timers.setTimer(seconds * 1000, () => this.end(sub, "terminated;reason=timeout"));
  }

  private end(sub: MwiSubscription, state: string): void {
    if (sub.timer) this.ctx.timers.clearTimer(sub.timer);
    this.subscriptions.delete(sub.dialog.key);
    this.sendNotify(sub, state, this.ctx.mailboxes.mailbox(sub.userId));
  }

  private sendNotify(sub: MwiSubscription, state: string, mailbox: VoiceMailbox): void {
    const request = sub.dialog.createRequest("NOTIFY", {
      headers: { event: EVENT, "subscription-state": state },
      body: buildMessageSummary(mailbox, sub.account),
      contentType: MESSAGE_SUMMARY_TYPE,
    });
    const drop = () => {
      if (sub.timer) this.ctx.timers.clearTimer(sub.timer);
      this.subscriptions.delete(sub.dialog.key);
    };
    this.ctx.send(request, sub.dialog.connection, {
      // RFC 6665 §4.2.2: a 481 (or any failure) to a NOTIFY ends the subscription.
      onResponse: (response) => {
        if (response.status >= 300) drop();
      },
      onTimeout: drop,
      onTransportError: drop,
    });
  }

  /** RFC 3842 unsolicited NOTIFY for a registered client that holds no subscription. */
  private unsolicited(
    userId: string,
    contact: string,
    connection: SipConnection,
    mailbox: VoiceMailbox,
  ): SipRequest {
    const aor = `sip:${userId}@${this.ctx.domain}`;
    const headers = new Headers();
    headers.append("via", `${this.ctx.endpoint.via(connection)};branch=${newBranch()}`);
    headers.append("max-forwards", "70");
    headers.append("from", `<${aor}>;tag=${newDialogTag()}`);
    headers.append("to", `<${aor}>`);
    headers.append("call-id", newCallId());
    headers.append("cseq", "1 NOTIFY");
    headers.append("contact", `<${this.ctx.endpoint.contact(connection)}>`);
    headers.append("event", EVENT);
    headers.append("subscription-state", "active");
    headers.append("content-type", MESSAGE_SUMMARY_TYPE);
    return new SipRequest("NOTIFY", contact, headers, Buffer.from(buildMessageSummary(mailbox, aor)));
  }

  private secondsLeft(sub: MwiSubscription): number {
    return Math.max(0, Math.ceil((sub.expiresAt - this.ctx.timers.now()) / 1000));
  }
}

function respond(
  tx: ServerTransaction,
  status: number,
  reason: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const response = createResponse(tx.request, status, reason);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  tx.respond(response);
}
