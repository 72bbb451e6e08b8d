import type { Direction } from "./media-types.js";

const DIRECTIONS: ReadonlySet<string> = new Set(["sendrecv", "sendonly", "recvonly", "inactive"]);

export function isDirection(value: string): value is Direction {
  return DIRECTIONS.has(value);
}

export function sends(direction: Direction): boolean {
  return direction === "sendrecv" || direction === "sendonly";
}

export function receives(direction: Direction): boolean {
  return direction === "sendrecv" || direction === "recvonly";
}

function fromFlags(send: boolean, receive: boolean): Direction {
  if (send) return receive ? "sendrecv" : "sendonly";
  return receive ? "recvonly" : "inactive";
}

/** The same stream seen from the other end: what one side sends, the other receives. */
export function reverseDirection(direction: Direction): Direction {
  return fromFlags(receives(direction), sends(direction));
}

/** What both allow: the answer may only narrow the offer (RFC 3264 §6.1). */
export function intersectDirections(a: Direction, b: Direction): Direction {
  return fromFlags(sends(a) && sends(b), receives(a) && receives(b));
}
