import { constants } from "node:crypto";

/**
 * The TLS suites both ports accept unless `--tls-ciphers` says otherwise: the three TLS 1.3
 * suites (all AEAD) and, for TLS 1.2, ECDHE key exchange with AEAD ciphers only — no static
 * RSA key transport (no forward secrecy) and no CBC-SHA1 (Lucky13-style padding oracles).
 * ECDSA suites first: the certificate set has an ECDSA twin, a cheaper handshake.
 * TLS 1.3 names must stay in the list: Node turns TLS 1.3 off for a list without any.
 */
export const MODERN_CIPHERS = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

/**
 * OpenSSL refuses TLS 1.2 renegotiation outright (a `no_renegotiation` alert): a peer could
 * otherwise make us redo the expensive half of a handshake as often as it likes.
 */
export const NO_RENEGOTIATION = constants.SSL_OP_NO_RENEGOTIATION;
