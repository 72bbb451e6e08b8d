import { buildMessageSummary, MESSAGE_SUMMARY_TYPE } from "../b2bua/index.js";
import type { VoiceMailbox } from "../domain/index.js";
import { newCallId } from "../shared/ids.js";
import { type LocalEndpoint, newDialogTag } from "../sip/dialog/index.js";
import { Headers, SipRequest, type SipResponse } from "../sip/message/index.js";
import { newBranch, type TransactionLayer } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import type { MockNumbering } from "./mock-options.js";
import { userNumber } from "./pbx-users.js";
import { sendRequest } from "./send-request.js";

/** Counts of a mailbox as a test or the console sets them; waiting defaults to new > 0. */
export interface MailboxCounts {
  readonly new: number;
  readonly old: number;
  readonly urgentNew?: number;
  readonly urgentOld?: number;
  readonly waiting?: boolean;
}

/** What a mailbox needs of the mock: the trunk's flow, its transactions, its names. */
export interface MailboxContext {
  readonly transactions: TransactionLayer;
  readonly endpoint: LocalEndpoint;
  readonly domain: string;
  readonly numbering: MockNumbering | undefined;
  /** The trunk's TLS connection while registered. */
  connection(): SipConnection | undefined;
}

/** The connector did not take a message-summary NOTIFY (its status and reason). */
export class MailboxNotifyError extends Error {
  override readonly name = "MailboxNotifyError";
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`NOTIFY refused: ${status} ${reason}`);
  }
}

const MAX_COUNT = 999_999;

/**
 * One PBX user's voicemail box on the mock OSBiz. Setting its counts sends an unsolicited
 * message-summary NOTIFY (RFC 3842) over the trunk to the connector, as OSBiz does when a
 * caller leaves a message or the user listens to one.
 */
export class MockMailbox {
  private current: VoiceMailbox = {
    waiting: false,
    newMessages: 0,
    oldMessages: 0,
    urgentNew: 0,
    urgentOld: 0,
  };

  constructor(
    /** The callno (or full number) of the mailbox's user. */
    readonly callno: string,
    private readonly ctx: MailboxContext,
  ) {}

  /** The counts the connector last accepted. */
  get state(): VoiceMailbox {
    return this.current;
  }

  /** Set the counts and NOTIFY the connector; rejects with MailboxNotifyError unless it answers 2xx. */
  async set(counts: MailboxCounts): Promise<SipResponse> {
    const mailbox = toMailbox(counts);
    const response = await this.send(buildMessageSummary(mailbox, this.account()));
    if (response.status >= 300) throw new MailboxNotifyError(response.status, response.reason);
    this.current = mailbox;
    return response;
  }

  /** Send a NOTIFY with this exact body (for tests of malformed summaries); resolves with any final answer. */
  sendRaw(body: string): Promise<SipResponse> {
    return this.send(body);
  }

  /** The number the connector knows the user by: E.164 with international numbering, else the callno. */
  get number(): string {
    return userNumber(this.callno, this.ctx.numbering);
  }

  private account(): string {
    return `sip:${this.number}@${this.ctx.domain}`;
  }

  private send(body: string): Promise<SipResponse> {
    const connection = this.ctx.connection();
    if (!connection) return Promise.reject(new Error("not registered: no NOTIFY can be sent"));
    const uri = this.account();
    const headers = new Headers();
    headers.append("via", `${this.ctx.endpoint.via(connection)};branch=${newBranch()}`);
    headers.append("max-forwards", "70");
    headers.append("from", `<${uri}>;tag=${newDialogTag()}`);
    headers.append("to", `<${uri}>`);
    headers.append("call-id", newCallId());
    headers.append("cseq", "1 NOTIFY");
    headers.append("contact", `<${this.ctx.endpoint.contact(connection)}>`);
    headers.append("event", "message-summary");
    headers.append("subscription-state", "active");
    headers.append("user-agent", "unify-phone-emulator mock-osbiz");
    headers.append("content-type", MESSAGE_SUMMARY_TYPE);
    return sendRequest(
      this.ctx.transactions,
      new SipRequest("NOTIFY", uri, headers, Buffer.from(body)),
      connection,
    );
  }
}

function toMailbox(counts: MailboxCounts): VoiceMailbox {
  const mailbox = {
    newMessages: counts.new,
    oldMessages: counts.old,
    urgentNew: counts.urgentNew ?? 0,
    urgentOld: counts.urgentOld ?? 0,
  };
  for (const [name, n] of Object.entries(mailbox)) {
    if (!Number.isInteger(n) || n < 0 || n > MAX_COUNT)
      throw new RangeError(`${name} ${n}: want 0 to ${MAX_COUNT}`);
  }
  if (mailbox.urgentNew > mailbox.newMessages || mailbox.urgentOld > mailbox.oldMessages) {
    throw new RangeError("more urgent messages than messages");
  }
  return { waiting: counts.waiting ?? mailbox.newMessages > 0, ...mailbox };
}

/** "2/5" or "2/5 (1/0)" → counts (the console's `mwi 2131 2/5`). */
export function parseMailboxCounts(text: string): MailboxCounts {
  const m = /^(\d{1,6})\/(\d{1,6})(?:\s*\((\d{1,6})\/(\d{1,6})\))?$/.exec(text.trim());
  if (!m) throw new RangeError(`"${text}": want new/old, e.g. 2/5 or 2/5 (1/0)`);
  return {
    new: Number(m[1]),
    old: Number(m[2]),
    ...(m[3] === undefined ? {} : { urgentNew: Number(m[3]), urgentOld: Number(m[4]) }),
  };
}
