import type { VoiceMailbox } from "../domain/index.js";

/** The body type of RFC 3842 message-summary notifications. */
export const MESSAGE_SUMMARY_TYPE = "application/simple-message-summary";

/** new/old counts of one message context class, urgent ones included in new/old. */
export interface MessageCounts {
  readonly newMessages: number;
  readonly oldMessages: number;
  readonly urgentNew: number;
  readonly urgentOld: number;
}

/** A parsed `application/simple-message-summary` body (RFC 3842 §5.2). */
export interface MessageSummary {
  readonly waiting: boolean;
  /** Message-Account, when given: the mailbox URI. */
  readonly account?: string;
  /** Counts by message context class, lower case ("voice-message", "fax-message", ...). */
  readonly classes: Readonly<Record<string, MessageCounts>>;
}

/** A body that is not a valid message summary; `message` is the reason phrase of the 400. */
export class MessageSummaryError extends Error {}

/** RFC 3458 message context classes, as RFC 3842 §5.2 lists them in its grammar. */
const CLASSES = new Set([
  "voice-message",
  "fax-message",
  "pager-message",
  "multimedia-message",
  "text-message",
  "none",
]);

/** At most this many messages per count: a PBX mailbox is small, anything bigger is a typo. */
const MAX_COUNT = 999_999;
const MAX_LINES = 100;

const COUNTS = /^(\d{1,7})\s*\/\s*(\d{1,7})(?:\s*\(\s*(\d{1,7})\s*\/\s*(\d{1,7})\s*\))?$/;

/**
 * Parse a message-summary body. Header names are case-insensitive; lines may end CRLF or LF;
 * after the first empty line come optional message headers (§5.2 opt-msg-headers), ignored.
 * Unknown header lines are extensions and ignored too; a bad class line or a missing or bad
 * Messages-Waiting throws MessageSummaryError.
 */
export function parseMessageSummary(body: string): MessageSummary {
  const lines = body.split(/\r?\n/);
  if (lines.length > MAX_LINES) throw new MessageSummaryError("Bad Request: message summary too long");
  let waiting: boolean | undefined;
  let account: string | undefined;
  const classes: Record<string, MessageCounts> = {};
  for (const line of lines) {
    if (line.trim() === "") {
      if (waiting !== undefined) break;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MessageSummaryError("Bad Request: message summary line without a colon");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "messages-waiting") {
      const v = value.toLowerCase();
      if (v !== "yes" && v !== "no")
        throw new MessageSummaryError("Bad Request: Messages-Waiting must be yes or no");
      waiting = v === "yes";
    } else if (name === "message-account") {
      account = value;
    } else if (CLASSES.has(name)) {
      classes[name] = parseCounts(name, value);
    }
  }
  if (waiting === undefined)
    throw new MessageSummaryError("Bad Request: message summary without Messages-Waiting");
  return { waiting, ...(account ? { account } : {}), classes };
}

function parseCounts(name: string, value: string): MessageCounts {
  const m = COUNTS.exec(value);
  if (!m) throw new MessageSummaryError(`Bad Request: ${name} must be new/old (urgent-new/urgent-old)`);
  const [newMessages, oldMessages, urgentNew = 0, urgentOld = 0] = m.slice(1).map((n) => Number(n ?? 0));
  for (const n of [newMessages, oldMessages, urgentNew, urgentOld]) {
    if (n! > MAX_COUNT) throw new MessageSummaryError(`Bad Request: ${name} count above ${MAX_COUNT}`);
  }
  if (urgentNew > newMessages! || urgentOld > oldMessages!) {
    throw new MessageSummaryError(`Bad Request: ${name} has more urgent messages than messages`);
  }
  return { newMessages: newMessages!, oldMessages: oldMessages!, urgentNew, urgentOld };
}

/** The voice mailbox a summary reports: its voice-message counts, or none when it gives none. */
export function mailboxOf(summary: MessageSummary): VoiceMailbox {
  const voice = summary.classes["voice-message"];
  return {
    waiting: summary.waiting,
    newMessages: voice?.newMessages ?? 0,
    oldMessages: voice?.oldMessages ?? 0,
    urgentNew: voice?.urgentNew ?? 0,
    urgentOld: voice?.urgentOld ?? 0,
  };
}

/** The body for a voice mailbox (CRLF lines, RFC 3842 §5.2), with the account when given. */
export function buildMessageSummary(mailbox: VoiceMailbox, account?: string): string {
  const lines = [`Messages-Waiting: ${mailbox.waiting ? "yes" : "no"}`];
  if (account) lines.push(`Message-Account: ${account}`);
  lines.push(
    `Voice-Message: ${mailbox.newMessages}/${mailbox.oldMessages} (${mailbox.urgentNew}/${mailbox.urgentOld})`,
  );
  return `${lines.join("\r\n")}\r\n`;
}
