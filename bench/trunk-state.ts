import { randomBytes } from "node:crypto";
import { digestHa1 } from "./digest-client.js";

const PREFIX = randomBytes(4).toString("hex");
let counter = 0;

/** A Call-ID, branch or tag unique in this run: a per-process prefix and a counter. */
export function uniqueId(): string {
  counter++;
  return `${PREFIX}${counter.toString(36)}`;
}

/**
 * What a PBX remembers of its registration of one trunk: the Call-ID and CSeq it
 * registers with and the nonce and nonce-count it authenticates with.
 */
export class TrunkState {
  readonly ha1: string;
  readonly tag = uniqueId();
  readonly cnonce = uniqueId();
  callId = uniqueId();
  cseq = 0;
  /** Set by the last challenge; undefined until the trunk was challenged once. */
  nonce: string | undefined;
  nc = 0;

  constructor(
    readonly username: string,
    password: string,
  ) {
    this.ha1 = digestHa1(username, password);
  }
}
