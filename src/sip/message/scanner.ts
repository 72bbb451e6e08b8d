import { hasClass, isWsp, TOKEN } from "./char-classes.js";
import type { SipParseError } from "./sip-parse-error.js";

/**
 * Cursor over one (already unfolded) header value, with the RFC 3261 §25.1 lexical pieces
 * shared by name-addr, Via and auth-param parsing. Values never contain CR or LF here.
 */
export class Scanner {
  pos = 0;

  constructor(
    readonly text: string,
    private readonly fail: (detail: string) => SipParseError,
  ) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): number {
    return this.text.charCodeAt(this.pos);
  }

  error(detail: string): SipParseError {
    return this.fail(detail);
  }

  skipLws(): void {
    while (isWsp(this.text.charCodeAt(this.pos))) this.pos++;
  }

  /** Consumes `char` surrounded by optional LWS (SEMI, EQUAL, SLASH, COMMA...); false if absent. */
  eat(char: number): boolean {
    const start = this.pos;
    this.skipLws();
    if (this.text.charCodeAt(this.pos) !== char) {
      this.pos = start;
      return false;
    }
    this.pos++;
    this.skipLws();
    return true;
  }

  /** A token, or "" when the cursor is not on a token character. */
  readToken(): string {
    const start = this.pos;
    while (hasClass(this.text.charCodeAt(this.pos), TOKEN)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** The content of a quoted-string at the cursor (on the opening quote), quoted-pairs decoded. */
  readQuoted(): string {
    const text = this.text;
    let i = this.pos + 1;
    let chunkStart = i;
    let value = "";
    for (;;) {
      if (i >= text.length) throw this.fail("unterminated quoted string");
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        if (i + 1 >= text.length) throw this.fail("unterminated quoted string");
        value += text.slice(chunkStart, i);
        chunkStart = i + 1;
        i += 2;
      } else {
        i++;
      }
    }
    this.pos = i + 1;
    return value + text.slice(chunkStart, i);
  }

  /** A quoted-string at the cursor, returned verbatim with its quotes. */
  readQuotedRaw(): string {
    const start = this.pos;
    this.readQuoted();
    return this.text.slice(start, this.pos);
  }

  /**
   * `*( SEMI generic-param )`: names lowercased, a value kept as written (quotes included),
   * null for a bare name. Stops before anything that is not ';' (a ',' or the end).
   */
  readParams(params: Record<string, string | null>): void {
    while (this.eat(59)) {
      const name = this.readToken();
      if (name === "") throw this.fail("empty or malformed parameter");
      let value: string | null = null;
      if (this.eat(61)) {
        if (this.peek() === 34) {
          value = this.readQuotedRaw();
        } else {
          const start = this.pos;
          for (;;) {
            const c = this.text.charCodeAt(this.pos);
            // gen-value = token / host / quoted-string: a host adds ':' '[' ']' (IPv6).
            if (!hasClass(c, TOKEN) && c !== 58 && c !== 91 && c !== 93) break;
            this.pos++;
          }
          if (start === this.pos) throw this.fail(`parameter "${name}" has no value`);
          value = this.text.slice(start, this.pos);
        }
      }
      params[name.toLowerCase()] = value;
    }
  }
}
