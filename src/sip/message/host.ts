import { allOf, HOST, hasClass, IPV6 } from "./char-classes.js";

/**
 * End index of the host (hostname, IPv4address or [IPv6reference]) starting at `start`, or -1
 * when there is none. RFC 5118 §4.10: the three-colon form [2001:db8:::192.0.2.1] is tolerated.
 */
export function hostEnd(text: string, start: number): number {
  if (text.charCodeAt(start) === 91) {
    const close = text.indexOf("]", start);
    const colon = text.indexOf(":", start);
    if (close === -1 || colon === -1 || colon > close || !allOf(text, IPV6, start + 1, close)) return -1;
    return close + 1;
  }
  let i = start;
  while (hasClass(text.charCodeAt(i), HOST)) i++;
  return i === start ? -1 : i;
}

/** Decimal port (0–65535) at `start`: [value, end index], or undefined when malformed. */
export function readPort(text: string, start: number): [port: number, end: number] | undefined {
  let port = 0;
  let i = start;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    port = port * 10 + c - 48;
  }
  if (i === start || i - start > 5 || port > 65535) return undefined;
  return [port, i];
}
