import { isToken, isWsp } from "./char-classes.js";
import { badRequest } from "./sip-parse-error.js";

export interface CSeq {
  seq: number;
  method: string;
}

const CSEQ_LIMIT = 2 ** 31;

/** Leading decimal digits of `text` from `start`: [value, end]; values above 2^53 saturate. */
function readDigits(text: string, start: number): [value: number, end: number] {
  let value = 0;
  let i = start;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + c - 48;
  }
  return [Math.min(value, Number.MAX_SAFE_INTEGER), i];
}

/** `1*DIGIT LWS Method` with the number below 2^31 (RFC 3261 §8.1.1.5). */
export function parseCSeq(value: string): CSeq {
  const [seq, end] = readDigits(value, 0);
  let i = end;
  while (isWsp(value.charCodeAt(i))) i++;
  const method = value.slice(i);
  if (end === 0 || i === end || !isToken(method)) throw badRequest("malformed CSeq", "SIP_ERR_CSEQ");
  if (seq >= CSEQ_LIMIT) throw badRequest("CSeq number must be below 2^31", "SIP_ERR_CSEQ");
  return { seq, method };
}

/** `1*DIGIT`, 0–255 (RFC 3261 §20.22). */
export function parseMaxForwards(value: string): number {
  const [hops, end] = readDigits(value, 0);
  if (end === 0 || end !== value.length || hops > 255) {
    throw badRequest("Max-Forwards must be an integer from 0 to 255", "SIP_ERR_MAX_FORWARDS");
  }
  return hops;
}

/** `1*DIGIT`, or undefined when the value is anything else (negative, empty, a list...). */
export function parseContentLength(value: string): number | undefined {
  const [length, end] = readDigits(value, 0);
  return end === 0 || end !== value.length ? undefined : length;
}
