/**
 * A copy of `text` that shares no memory with the string it was cut from. V8 keeps a slice
 * of a string as a view of its parent, so a short value read from a SIP message (a Call-ID,
 * a header value) that is remembered would keep the whole message text alive.
 */
export function detachedString(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}
