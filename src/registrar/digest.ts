import { hash as oneShotHash } from "node:crypto";
import { copyBytes } from "../shared/copy-bytes.js";

/** Digest algorithms the registrar implements (RFC 7616, RFC 8760). */
export type DigestAlgorithm = "MD5" | "SHA-256";

export function isDigestAlgorithm(value: string): value is DigestAlgorithm {
  return value === "SHA-256" || value === "MD5";
}

/** Normalise the algorithm token of a credential (RFC 7616 §3.4: case-insensitive; absent = MD5). */
export function credentialAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  if (value === undefined) return "MD5";
  if (isDigestAlgorithm(value)) return value;
  const upper = value.toUpperCase();
  return isDigestAlgorithm(upper) ? upper : undefined;
}

function hash(algorithm: DigestAlgorithm, data: string | Buffer): string {
  return oneShotHash(algorithm === "MD5" ? "md5" : "sha256", data, "hex");
}

/**
 * H(A2) = H(method:uri) is the same for every REGISTER of a realm: remembered, bounded
 * (the URIs come from clients; a flood of distinct ones just starts the memo afresh).
 */
const ha2Memo = new Map<string, string>();
const HA2_MEMO_MAX = 1024;
/** The last H(A2) looked up: a registrar sees one Request-URI nearly always (no key to build). */
let lastHa2 = { algorithm: "", method: "", uri: "", ha2: "" };

function ha2Of(algorithm: DigestAlgorithm, method: string, uri: string): string {
  const last = lastHa2;
  if (last.uri === uri && last.method === method && last.algorithm === algorithm) return last.ha2;
  const key = `${algorithm} ${method} ${uri}`;
  let ha2 = ha2Memo.get(key);
  if (ha2 === undefined) {
    if (ha2Memo.size >= HA2_MEMO_MAX) ha2Memo.clear();
    ha2 = hash(algorithm, `${method}:${uri}`);
    ha2Memo.set(key, ha2);
  }
  lastHa2 = { algorithm, method, uri, ha2 };
  return ha2;
}

export interface DigestInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  /** With qop=auth (RFC 7616 §3.4.1); absent for RFC 2069-style clients. */
  readonly qop?: { readonly nc: string; readonly cnonce: string };
}

/** The `response` value a client must send for these inputs (RFC 7616 §3.4.1, qop=auth). */
export function digestResponse(input: DigestInput): string {
  const { username, password, ...rest } = input;
  return digestResponseFromHa1({ ...rest, ha1: digestHa1(input.algorithm, username, input.realm, password) });
}

/**
 * H(A1) = H(username:realm:password) (RFC 7616 §3.4.2): what a server can store instead of
 * the password. Tied to the realm: a stored HA1 no longer verifies once the realm changes.
 */
export function digestHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return hash(algorithm, `${username}:${realm}:${password}`);
}

export interface DigestHa1Input extends Omit<DigestInput, "username" | "password"> {
  /** Lowercase hex H(A1) of `algorithm`, as `digestHa1` returns it. */
  readonly ha1: string;
}

/** The expected `response` when only H(A1) is known (RFC 7616 §3.4.1, qop=auth). */
export function digestResponseFromHa1(input: DigestHa1Input): string {
  const { qop } = input;
  if (qop)
    return qopAuthResponse(
      input.algorithm,
      input.ha1,
      input.method,
      input.uri,
      input.nonce,
      qop.nc,
      qop.cnonce,
    );
  return hash(
    input.algorithm,
    `${input.ha1}:${input.nonce}:${ha2Of(input.algorithm, input.method, input.uri)}`,
  );
}

/** `digestResponseFromHa1` with qop=auth, from plain arguments (the verifier's per-REGISTER call). */
export function qopAuthResponse(
  algorithm: DigestAlgorithm,
  ha1: string,
  method: string,
  uri: string,
  nonce: string,
  nc: string,
  cnonce: string,
): string {
  return hash(algorithm, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2Of(algorithm, method, uri)}`);
}

/**
 * What a later REGISTER changes in credentials accepted before (the refresh shortcut's, see
 * DigestVerifier.confirm): its nonce, and where its nonce count, cnonce and response are in
 * its bytes, `[start, end)` each, ASCII as the shortcut matched them. Read there, a refresh
 * makes no string per value.
 */
export interface CountedResponse {
  readonly nonce: string;
  readonly ncStart: number;
  readonly ncEnd: number;
  readonly cnonceStart: number;
  readonly cnonceEnd: number;
  readonly responseStart: number;
  readonly responseEnd: number;
}

/**
 * Where the text a counted response hashes is assembled (see countedResponseHash): a fixed
 * buffer, and a view of the part used, kept while its length repeats (a client's cnonce keeps
 * its length, so a refresh makes no view object).
 */
export class HashScratch {
  readonly bytes: Buffer;
  private used: Buffer;

  constructor(size: number) {
    this.bytes = Buffer.alloc(size);
    this.used = this.bytes.subarray(0, 0);
  }

  /** The first `length` bytes. */
  first(length: number): Buffer {
    if (this.used.length !== length) this.used = this.bytes.subarray(0, length);
    return this.used;
  }
}

/**
 * `qopAuthResponse` of a response counted in the request `bytes`, its text assembled in
 * `scratch`. Undefined when it does not fit.
 */
export function countedResponseHash(
  algorithm: DigestAlgorithm,
  ha1: string,
  method: string,
  uri: string,
  bytes: Buffer,
  counted: CountedResponse,
  scratch: HashScratch,
): string | undefined {
  const { nonce, ncStart, ncEnd, cnonceStart, cnonceEnd } = counted;
  const ha2 = ha2Of(algorithm, method, uri);
  const length = ha1.length + nonce.length + (ncEnd - ncStart) + (cnonceEnd - cnonceStart) + ha2.length + 9;
  const text = scratch.bytes;
  if (length > text.length) return undefined;
  let at = text.write(ha1, 0, "latin1");
  text[at++] = COLON;
  at += text.write(nonce, at, "latin1");
  text[at++] = COLON;
  copyBytes(bytes, ncStart, ncEnd, text, at);
  at += ncEnd - ncStart;
  text[at++] = COLON;
  copyBytes(bytes, cnonceStart, cnonceEnd, text, at);
  at += cnonceEnd - cnonceStart;
  at += text.write(AUTH, at, "latin1");
  at += text.write(ha2, at, "latin1");
  return hash(algorithm, scratch.first(at));
}

const COLON = 0x3a;
/** Between the cnonce and H(A2): the qop. */
const AUTH = ":auth:";

/** A `WWW-Authenticate` value (RFC 7616 §3.3). */
export function formatChallenge(options: {
  realm: string;
  nonce: string;
  algorithm: DigestAlgorithm;
  stale: boolean;
}): string {
  const stale = options.stale ? ", stale=true" : "";
  return `Digest realm="${options.realm}", nonce="${options.nonce}", algorithm=${options.algorithm}, qop="auth"${stale}`;
}
