import { type Head, readHead } from "./head-reader.js";
import type { SipMessage } from "./message.js";
import { CRLFCRLF, completeMessage } from "./parse-message.js";
import { badRequest, SipParseError } from "./sip-parse-error.js";

export type FramerEvent =
  /** `wire`: the message's bytes as received, a view valid only until the next push. */
  | { type: "message"; message: SipMessage; size: number; wire: Buffer }
  /** CRLFCRLF keep-alive (RFC 5626 §4.4.1): answer with CRLF. */
  | { type: "ping" }
  /** Lone CRLF between messages: a keep-alive answer, ignore. */
  | { type: "pong" }
  /** fatal: framing is lost; answer (when error.partial) and close. Later input is ignored. */
  | { type: "error"; error: SipParseError; fatal: boolean };

const CR = 13;
const LF = 10;

/**
 * RFC 3261 §18.3 framing of a byte stream (TLS/TCP): the header section ends at the first
 * empty line and Content-Length (mandatory here) gives the body. Bytes are appended to one
 * growable buffer read through offsets, so any chunking costs linear time.
 */
export class StreamFramer {
  readonly #maxMessageSize: number;
  readonly #maxHeaders: number;
  #buf: Buffer = Buffer.alloc(0);
  #start = 0;
  #end = 0;
  /** Bytes after #start already searched for CRLFCRLF without success. */
  #scanned = 0;
  #head: Head | undefined;
  /** Body offset and length (relative to #start) of the message whose head is read. */
  #bodyOffset = 0;
  #bodyLength = 0;
  #failed = false;

  constructor(options: { maxMessageSize: number; maxHeaders: number }) {
    this.#maxMessageSize = options.maxMessageSize;
    this.#maxHeaders = options.maxHeaders;
  }

  /** Bytes of an incomplete message held; 0 when idle (a partial keep-alive does not count). */
  get buffered(): number {
    const held = this.#end - this.#start;
    if (this.#head === undefined && held < 4) {
      for (let i = this.#start; i < this.#end; i++) {
        if (this.#buf[i] !== CR && this.#buf[i] !== LF) return held;
      }
      return 0;
    }
    return held;
  }

  push(chunk: Buffer): FramerEvent[] {
    return this.#frame(chunk, 0, false).events;
  }

  /**
   * `push` of `chunk[from…]` that stops after the first message (or unparsable one) it frames:
   * the bytes after it are not taken, and `used` says how many were, so the caller can look at
   * the next message itself (the registrar's refresh shortcut). A message the chunk leaves
   * incomplete is held as `push` holds it: then every byte is used.
   */
  pushUntilMessage(chunk: Buffer, from: number): { events: FramerEvent[]; used: number } {
    return this.#frame(chunk, from, true);
  }

  #frame(chunk: Buffer, from: number, once: boolean): { events: FramerEvent[]; used: number } {
    const offered = chunk.length - from;
    if (this.#failed || offered <= 0) return { events: [], used: Math.max(0, offered) };
    const borrowed = this.#start === this.#end;
    if (borrowed) {
      // Nothing held: read straight from the chunk and keep only what is left over.
      this.#buf = chunk;
      this.#start = from;
      this.#end = chunk.length;
    } else {
      this.#append(from === 0 ? chunk : chunk.subarray(from));
    }
    const events: FramerEvent[] = [];
    let stopped = false;
    while (!stopped && !this.#failed && this.#step(events)) {
      const last = events[events.length - 1]?.type;
      stopped = once && (last === "message" || last === "error");
    }
    let used = offered;
    if (this.#start === this.#end || stopped) {
      // Whatever follows a message framed `once` was not taken: held bytes before it were
      // part of that message, so all of it comes from this chunk.
      used -= this.#end - this.#start;
      this.#buf = Buffer.alloc(0);
      this.#start = 0;
      this.#end = 0;
      this.#scanned = 0;
    } else if (borrowed) {
      const owned = Buffer.allocUnsafe(Math.max(this.#end - this.#start, 4096));
      this.#buf.copy(owned, 0, this.#start, this.#end);
      this.#buf = owned;
      this.#end -= this.#start;
      this.#start = 0;
    }
    return { events, used };
  }

  #append(chunk: Buffer): void {
    const held = this.#end - this.#start;
    if (this.#end + chunk.length > this.#buf.length) {
      const target =
        this.#buf.length >= held + chunk.length
          ? this.#buf
          : Buffer.allocUnsafe(Math.max(held + chunk.length, this.#buf.length * 2));
      this.#buf.copy(target, 0, this.#start, this.#end);
      this.#buf = target;
      this.#start = 0;
      this.#end = held;
    }
    chunk.copy(this.#buf, this.#end);
    this.#end += chunk.length;
  }

  /** Makes one unit of progress; false when more input is needed. */
  #step(events: FramerEvent[]): boolean {
    if (this.#head === undefined) return this.#frameHead(events);
    const total = this.#bodyOffset + this.#bodyLength;
    if (this.#end - this.#start < total) return false;
    const head = this.#head;
    this.#head = undefined;
    try {
      const message = completeMessage(head, this.#buf, this.#start + this.#bodyOffset, this.#bodyLength);
      const wire = this.#buf.subarray(this.#start, this.#start + total);
      events.push({ type: "message", message, size: total, wire });
    } catch (error) {
      if (!(error instanceof SipParseError)) throw error;
      events.push({ type: "error", error, fatal: false });
    }
    this.#consume(total);
    return true;
  }

  /** Consumes keep-alives, or reads the next header section once it is complete. */
  #frameHead(events: FramerEvent[]): boolean {
    const buf = this.#buf;
    const start = this.#start;
    const held = this.#end - start;
    if (held === 0) return false;
    if (buf[start] === CR) {
      // RFC 5626 §4.4.1 keep-alives; RFC 3261 §7.5: CRLFs before a start line are ignored.
      if (held < 2) return false;
      if (buf[start + 1] === LF) {
        if (held >= 4 && buf[start + 2] === CR && buf[start + 3] === LF) {
          events.push({ type: "ping" });
          this.#consume(4);
          return true;
        }
        if (held === 2 || (held === 3 && buf[start + 2] === CR)) return false;
        events.push({ type: "pong" });
        this.#consume(2);
        return true;
      }
    }
    const from = start + Math.max(0, this.#scanned - 3);
    const headerEnd = buf.subarray(0, this.#end).indexOf(CRLFCRLF, from);
    if (headerEnd === -1) {
      this.#scanned = held;
      if (held > this.#maxMessageSize) this.#fail(events, tooLarge(undefined));
      return false;
    }
    const headerBytes = headerEnd + 4 - start;
    const head = readHead(buf, start, headerEnd, this.#maxHeaders);
    if (headerBytes > this.#maxMessageSize) return this.#fail(events, tooLarge(head.message));
    if (head.lengthError) return this.#fail(events, head.lengthError);
    if (head.contentLength === undefined) {
      return this.#fail(
        events,
        badRequest(
          "missing Content-Length on a stream transport",
          "SIP_ERR_CONTENT_LENGTH_MISSING",
          head.message,
        ),
      );
    }
    if (headerBytes + head.contentLength > this.#maxMessageSize) {
      return this.#fail(events, tooLarge(head.message));
    }
    this.#head = head;
    this.#bodyOffset = headerBytes;
    this.#bodyLength = head.contentLength;
    return true;
  }

  #consume(bytes: number): void {
    this.#start += bytes;
    this.#scanned = 0;
  }

  #fail(events: FramerEvent[], error: SipParseError): false {
    events.push({ type: "error", error, fatal: true });
    this.#failed = true;
    this.#head = undefined;
    this.#start = this.#end;
    return false;
  }
}

function tooLarge(partial: SipMessage | undefined): SipParseError {
  return new SipParseError(513, "Message Too Large", "SIP_ERR_TOO_LARGE", partial);
}
