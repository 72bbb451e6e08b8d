import { Core } from "sip.js";
import { describe, expect, it } from "vitest";
import { parseMessage, parseUri, type SipMessage, type SipUri } from "../../src/sip/message/index.js";
import { allEntries, wireBytes } from "./corpus.js";

/** sip.js 0.21.2 as a reference oracle: its parser logs through this and returns undefined on failure. */
const silent = { log() {}, debug() {}, warn() {}, error() {} } as unknown as Core.Logger;

/** The part of sip.js's IncomingMessage this comparison reads. */
interface OracleUri {
  scheme?: string;
  user?: string;
  host: string;
  port?: number;
  toString(): string;
}
interface OracleMessage {
  method: string;
  statusCode?: number;
  ruri?: OracleUri;
  callId: string;
  cseq: number;
  fromTag?: string;
  toTag?: string;
  from: { uri: OracleUri };
  to: { uri: OracleUri };
  via: { host: string; port?: number; branch?: string };
  getHeaders(name: string): string[];
  getHeader(name: string): string | undefined;
}

function oracle(data: Buffer): OracleMessage | undefined {
  return Core.Parser.parseMessage(data.toString("utf8"), silent) as unknown as OracleMessage | undefined;
}

/** A sip.js URI compared by meaning: re-read with our parser (sip.js re-escapes legal characters). */
function uriFields(uri: SipUri) {
  return { scheme: uri.scheme, user: uri.user, host: uri.host, port: uri.port, params: uri.params };
}

/**
 * Known disagreements, where sip.js is wrong; our answer is asserted explicitly instead.
 *  - Via count: sip.js counts header lines, RFC 3261 §7.3.1 counts comma-separated values.
 *  - intmeth: sip.js puts ":password" into the user part (RFC 3261 §25.1: userinfo = user [":" password]).
 *  - unkscm/novelsc: sip.js gives no Request-URI for schemes other than sip/sips.
 */
const KNOWN_DIFFERENCES: Record<
  string,
  { field: "vias" | "requestUri"; check: (ours: SipMessage, theirs: OracleMessage) => void }
> = {
  "wsinv.dat": {
    field: "vias",
    check: (ours, theirs) => {
      expect(theirs.getHeaders("via")).toHaveLength(2);
      expect(ours.vias).toHaveLength(3);
    },
  },
  "intmeth.dat": {
    field: "requestUri",
    check: (ours, theirs) => {
      expect(theirs.ruri?.user).toBe(
        "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)",
      );
      if (ours.kind !== "request") throw new Error("intmeth is a request");
      expect(ours.requestUri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      expect(ours.requestUri.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    },
  },
  "unkscm.dat": {
    field: "requestUri",
    check: (ours, theirs) => {
      expect(theirs.ruri).toBeUndefined();
      if (ours.kind !== "request") throw new Error("unkscm is a request");
      expect(ours.requestUri.scheme).toBe("nobodyknowsthisscheme");
    },
  },
  "novelsc.dat": {
    field: "requestUri",
    check: (ours, theirs) => {
      expect(theirs.ruri).toBeUndefined();
      if (ours.kind !== "request") throw new Error("novelsc is a request");
      expect(ours.requestUri.scheme).toBe("soap.beep");
    },
  },
};

/**
 * Valid messages sip.js cannot parse at all, both sip.js bugs: unksm2 (non-SIP URIs in To/From,
 * RFC 4475 §3.3.4) and the three-colon IPv6 reference RFC 5118 §4.10 says must be tolerated.
 */
const ORACLE_FAILS = ["unksm2.dat", "ipv6-bug-abnf-3-colons.dat"];

const valid = allEntries().filter((entry) => entry.valid);

describe("differential against sip.js 0.21.2", () => {
  it("sip.js fails only on the listed valid messages", () => {
    const failing = valid.filter((entry) => oracle(wireBytes(entry.set, entry.file)) === undefined);
    expect(failing.map((entry) => entry.file)).toEqual(ORACLE_FAILS);
    for (const entry of failing) {
      expect(parseMessage(wireBytes(entry.set, entry.file), { datagram: true }).callId).not.toBe("");
    }
  });

  it.each(
    valid.filter((entry) => !ORACLE_FAILS.includes(entry.file)).map((entry) => [entry.file, entry] as const),
  )("%s: both parsers agree", (file, entry) => {
    const data = wireBytes(entry.set, file);
    const ours = parseMessage(data, { datagram: true });
    const theirs = oracle(data)!;
    const known = KNOWN_DIFFERENCES[file];
    known?.check(ours, theirs);

    if (ours.kind === "request") {
      expect(ours.method).toBe(theirs.method);
      if (known?.field !== "requestUri") {
        const ruri = theirs.ruri!;
        expect({
          user: ours.requestUri.user,
          host: ours.requestUri.host,
          port: ours.requestUri.port,
        }).toEqual({
          user: ruri.user,
          host: ruri.host,
          port: ruri.port,
        });
      }
    } else {
      expect(ours.status).toBe(theirs.statusCode);
    }
    expect(ours.callId).toBe(theirs.callId);
    expect(ours.cseq.seq).toBe(theirs.cseq);
    expect(ours.cseq.method).toBe(theirs.method);
    expect(ours.from.params.tag).toBe(theirs.fromTag);
    expect(ours.to.params.tag).toBe(theirs.toTag);
    expect(uriFields(ours.from.uri)).toEqual(uriFields(parseUri(theirs.from.uri.toString())));
    expect(uriFields(ours.to.uri)).toEqual(uriFields(parseUri(theirs.to.uri.toString())));
    expect({ host: ours.topVia.host, port: ours.topVia.port, branch: ours.topVia.branch }).toEqual({
      host: theirs.via.host,
      port: theirs.via.port,
      branch: theirs.via.branch,
    });
    if (known?.field !== "vias") expect(ours.vias).toHaveLength(theirs.getHeaders("via").length);
    expect(ours.headers.get("Content-Length")).toBe(theirs.getHeader("content-length"));
  });
});
