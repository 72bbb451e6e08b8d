import { Scanner } from "./scanner.js";
import { badRequest, type SipParseError } from "./sip-parse-error.js";

function authError(detail: string): SipParseError {
  return badRequest(`invalid authentication header (${detail})`, "SIP_ERR_AUTH_PARAMS");
}

/**
 * `scheme auth-param *("," auth-param)` (RFC 7235 §2.1, RFC 7616 §3.4): parameter names
 * lowercased, quoted values unquoted. Empty list elements are skipped; a repeated parameter
 * is rejected because digest verification must not guess which one counts.
 */
export function parseAuthParams(text: string): { scheme: string; params: Record<string, string> } {
  const s = new Scanner(text, authError);
  s.skipLws();
  const scheme = s.readToken();
  if (scheme === "") throw authError("missing scheme");
  const params: Record<string, string> = {};
  const gap = s.pos;
  s.skipLws();
  if (s.done) return { scheme, params };
  if (s.pos === gap) throw authError("missing space after scheme");
  for (;;) {
    while (s.eat(44)) {}
    if (s.done) break;
    const name = s.readToken().toLowerCase();
    if (name === "" || !s.eat(61)) throw authError("expected name=value");
    let value: string;
    if (s.peek() === 34) {
      value = s.readQuoted();
    } else {
      value = s.readToken();
      if (value === "") throw authError(`empty value for ${name}`);
    }
    if (Object.hasOwn(params, name)) throw authError(`duplicate parameter ${name}`);
    params[name] = value;
    s.skipLws();
    if (s.done) break;
    if (!s.eat(44)) throw authError("expected ','");
  }
  return { scheme, params };
}
