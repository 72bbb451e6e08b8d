import { randomBytes } from "node:crypto";

/** A To/From tag (RFC 3261 §19.3): needs uniqueness, not secrecy. */
export function newTag(): string {
  return randomBytes(6).toString("hex");
}

/** A Call-ID value unique across the emulator's lifetime. */
export function newCallId(): string {
  return randomBytes(12).toString("hex");
}
