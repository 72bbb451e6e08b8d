import { digitForEvent, type TelephoneEvent } from "./telephone-event.js";

/**
 * Turns RFC 4733 telephone-event packets into digits, one per event. An event is the
 * (SSRC, RTP timestamp) pair (§2.5.1.2); it counts when its first end packet arrives, so
 * the retransmitted end packets (§2.5.1.4) do not count again. An event whose end packets
 * were all lost counts when the next event starts. Packets of an older event are ignored.
 */
export class DtmfDetector {
  private current: { ssrc: number; timestamp: number; event: number; counted: boolean } | null = null;

  /** Returns the digits this packet completes (none, one, or two when it also closes a lost end). */
  accept(ssrc: number, timestamp: number, packet: TelephoneEvent): string[] {
    const digits: string[] = [];
    const current = this.current;
    if (current && current.ssrc === ssrc && current.timestamp === timestamp) {
      if (packet.end && !current.counted) {
        current.counted = true;
        this.push(digits, current.event);
      }
      return digits;
    }
    if (current && current.ssrc === ssrc && ((timestamp - current.timestamp) | 0) < 0) return digits;
    if (current && !current.counted) this.push(digits, current.event);
    this.current = { ssrc, timestamp, event: packet.event, counted: packet.end };
    if (packet.end) this.push(digits, packet.event);
    return digits;
  }

  private push(digits: string[], event: number): void {
    const digit = digitForEvent(event);
    if (digit !== null) digits.push(digit);
  }
}
