import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BINDING_METHOD, encodeStunMessage } from "../../src/stun/index.js";
import { SAMPLE_IPV4_RESPONSE, SAMPLE_REQUEST } from "../../tests/unit/stun/rfc5769-vectors.js";
import type { Rng } from "../lib/rng.js";
import { DOMAIN, inviteText, optionsText, registerText } from "../lib/sip-wire.js";

const CONFORMANCE = fileURLToPath(new URL("../../tests/fixtures/conformance/", import.meta.url));

export interface Corpus {
  /**
   * SIP messages: the RFC 4475/5118 torture corpus and messages built like a PBX's, the
   * latter repeated so that about half the picks are PBX-like (they get past the parser).
   */
  readonly sip: readonly Buffer[];
  /** STUN datagrams: RFC 5769 vectors and plain binding requests. */
  readonly stun: readonly Buffer[];
}

/** Every *.dat of tests/fixtures/conformance/<rfc>/, bytes unchanged. */
function conformanceMessages(): Buffer[] {
  const out: Buffer[] = [];
  for (const dir of readdirSync(CONFORMANCE, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    const path = `${CONFORMANCE}${dir.name}/`;
    for (const file of readdirSync(path).sort()) {
      if (file.endsWith(".dat")) out.push(readFileSync(`${path}${file}`));
    }
  }
  return out;
}

/** Messages shaped like real traffic to the connector (trunk `user`, callee `callee`). */
function builtMessages(trunkUser: string, callee: string, rng: Rng): Buffer[] {
  const common = { localPort: 5061, transport: "TLS" as const };
  const register = (authorization?: string) =>
    registerText({
      ...common,
      user: trunkUser,
      branch: rng.hex(6),
      tag: rng.hex(4),
      callId: `${rng.hex(8)}@127.0.0.1`,
      cseq: 1,
      expires: 600,
      ...(authorization === undefined ? {} : { authorization }),
    });
  const dialog = {
    ...common,
    trunkUser,
    to: callee,
    callId: `${rng.hex(8)}@127.0.0.1`,
    fromTag: rng.hex(4),
    branch: rng.hex(6),
    cseq: 1,
  };
  const auth = `Digest username="${trunkUser}", realm="${DOMAIN}", nonce="${rng.hex(16)}", uri="sip:${DOMAIN}", response="${rng.hex(16)}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${rng.hex(4)}"`;
  const texts = [
    register(),
    register(auth),
    inviteText(dialog, 40000, 1),
    optionsText(dialog),
    inviteText({ ...dialog, toTag: "abc" }, 40002, 2)
      .replace(/^INVITE/, "UPDATE")
      .replace("INVITE\r\n", "UPDATE\r\n"),
    `BYE sip:${callee}@${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK${rng.hex(4)}\r\nMax-Forwards: 70\r\nFrom: <sip:${trunkUser}@${DOMAIN}>;tag=1\r\nTo: <sip:${callee}@${DOMAIN}>;tag=2\r\nCall-ID: nope@x\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n`,
    `INFO sip:${callee}@${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK${rng.hex(4)}\r\nMax-Forwards: 70\r\nFrom: <sip:${trunkUser}@${DOMAIN}>;tag=1\r\nTo: <sip:${callee}@${DOMAIN}>;tag=2\r\nCall-ID: nope@x\r\nCSeq: 3 INFO\r\nContent-Type: application/dtmf-relay\r\nContent-Length: 24\r\n\r\nSignal=5\r\nDuration=160\r\n`,
    `SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK${rng.hex(4)}\r\nFrom: <sip:${trunkUser}@${DOMAIN}>;tag=1\r\nTo: <sip:${callee}@${DOMAIN}>;tag=2\r\nCall-ID: x@y\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    `SUBSCRIBE sip:${trunkUser}@${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK${rng.hex(4)}\r\nMax-Forwards: 70\r\nFrom: <sip:${trunkUser}@${DOMAIN}>;tag=1\r\nTo: <sip:${trunkUser}@${DOMAIN}>\r\nCall-ID: s@y\r\nCSeq: 1 SUBSCRIBE\r\nEvent: reg\r\nRequire: gruu\r\nContent-Length: 0\r\n\r\n`,
    "\r\n\r\n",
  ];
  return texts.map((t) => Buffer.from(t, "latin1"));
}

function stunMessages(rng: Rng): Buffer[] {
  const plain = encodeStunMessage({
    method: BINDING_METHOD,
    class: "request",
    transactionId: rng.bytes(12),
    attributes: [],
    fingerprint: false,
  });
  const withFingerprint = encodeStunMessage({
    method: BINDING_METHOD,
    class: "request",
    transactionId: rng.bytes(12),
    attributes: [{ type: 0x8022, value: Buffer.from("upe fuzz") }],
    fingerprint: true,
  });
  return [SAMPLE_REQUEST, SAMPLE_IPV4_RESPONSE, plain, withFingerprint];
}

export function buildCorpus(rng: Rng, trunkUser: string, callee: string): Corpus {
  const torture = conformanceMessages();
  const built = builtMessages(trunkUser, callee, rng);
  const copies = Math.max(1, Math.round(torture.length / built.length));
  return {
    sip: [...torture, ...Array.from({ length: copies }, () => built).flat()],
    stun: stunMessages(rng),
  };
}
