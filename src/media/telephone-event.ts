/** RFC 4733 §2.3 telephone-event payload: event, E(nd) bit, volume, duration. */
export interface TelephoneEvent {
  event: number;
  end: boolean;
  /** Power level in -dBm0, 0–63. */
  volume: number;
  /** In RTP timestamp units since the event's timestamp. */
  duration: number;
}

export const TELEPHONE_EVENT_BYTES = 4;

/** RFC 4733 §3.2 Table 7: events 0–9 are the digits, 10 `*`, 11 `#`, 12–15 A–D. */
const DIGITS = "0123456789*#ABCD";

export function digitForEvent(event: number): string | null {
  return DIGITS[event] ?? null;
}

export function eventForDigit(digit: string): number | null {
  const index = DIGITS.indexOf(digit.toUpperCase());
  return digit.length === 1 && index >= 0 ? index : null;
}

export function parseTelephoneEvent(payload: Buffer): TelephoneEvent | null {
  if (payload.length < TELEPHONE_EVENT_BYTES) return null;
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: payload.readUInt16BE(2),
  };
}

export function buildTelephoneEvent(event: TelephoneEvent): Buffer {
  const payload = Buffer.allocUnsafe(TELEPHONE_EVENT_BYTES);
  payload[0] = event.event;
  payload[1] = (event.end ? 0x80 : 0) | (event.volume & 0x3f);
  payload.writeUInt16BE(Math.min(event.duration, 0xffff), 2);
  return payload;
}
