import { formatParams } from "./format-params.js";
import { hostEnd, readPort } from "./host.js";
import { Scanner } from "./scanner.js";
import { badRequest, type SipParseError } from "./sip-parse-error.js";

/**
 * One via-parm. `protocol` is "SIP/2.0" (name uppercased, LWS removed), `transport` uppercased;
 * IPv6 `host` keeps its brackets. `branch`, `received` (brackets stripped: RFC 3261 writes
 * it bare, RFC 5118 §4.5 says accept both) and `rport` (null when present without value) mirror
 * `params`; when formatting they win over `params`.
 */
export interface Via {
  protocol: string;
  transport: string;
  host: string;
  port?: number;
  params: Record<string, string | null>;
  branch?: string;
  received?: string;
  rport?: number | null;
}

function viaError(detail: string): SipParseError {
  return badRequest(`invalid Via (${detail})`, "SIP_ERR_VIA");
}

/** Parses one via-parm (not a comma list). */
export function parseVia(text: string): Via {
  const s = new Scanner(text, viaError);
  s.skipLws();
  const name = s.readToken();
  const version = s.eat(47) ? s.readToken() : "";
  const transport = s.eat(47) ? s.readToken() : "";
  if (name === "" || version === "" || transport === "") throw viaError("bad sent-protocol");
  const gap = s.pos;
  s.skipLws();
  if (s.pos === gap) throw viaError("missing sent-by");
  const end = hostEnd(text, s.pos);
  if (end === -1) throw viaError("bad sent-by host");
  const via: Via = {
    protocol: `${name.toUpperCase()}/${version}`,
    transport: transport.toUpperCase(),
    host: text.slice(s.pos, end),
    params: {},
  };
  s.pos = end;
  if (s.eat(58)) {
    const port = readPort(text, s.pos);
    if (port === undefined) throw viaError("bad sent-by port");
    [via.port, s.pos] = port;
  }
  s.readParams(via.params);
  s.skipLws();
  if (!s.done) throw viaError("unexpected text");
  const { branch, received, rport } = via.params;
  if (typeof branch === "string") via.branch = branch;
  if (typeof received === "string") {
    via.received = received.charCodeAt(0) === 91 ? received.slice(1, -1) : received;
  }
  if (rport !== undefined) {
    if (rport === null) {
      via.rport = null;
    } else {
      const port = readPort(rport, 0);
      if (port === undefined || port[1] !== rport.length) throw viaError("bad rport");
      via.rport = port[0];
    }
  }
  return via;
}

/** Writes one via-parm. */
export function formatVia(via: Via): string {
  const params: Record<string, string | null> = { ...via.params };
  if (via.branch !== undefined) params.branch = via.branch;
  if (via.received !== undefined) params.received = via.received;
  if (via.rport !== undefined) params.rport = via.rport === null ? null : String(via.rport);
  const port = via.port === undefined ? "" : `:${via.port}`;
  return `${via.protocol}/${via.transport} ${via.host}${port}${formatParams(params)}`;
}
