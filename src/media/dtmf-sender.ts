import { SAMPLES_PER_FRAME } from "./codecs.js";
import { buildTelephoneEvent, eventForDigit } from "./telephone-event.js";

/** One 20 ms step of a DTMF transmission: a telephone-event packet to send instead of audio. */
export interface DtmfPacket {
  payload: Buffer;
  marker: boolean;
  /** The event's RTP timestamp: the stream's timestamp when the event began. */
  timestamp: number;
}

interface Job {
  readonly events: number[];
  readonly ticks: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

const END_PACKETS = 3;
/** Audio between two digits, in 20 ms ticks. */
const GAP_TICKS = 3;
const VOLUME = 10;
export const DEFAULT_DTMF_DURATION_MS = 100;
const MIN_DURATION_MS = 40;
/** The 16-bit duration field holds at most 65535 units, 8.19 s at 8 kHz. */
const MAX_DURATION_MS = 8000;

/**
 * RFC 4733 §2.5.1 sender, driven by the 20 ms ticker: per digit, a start packet (marker
 * set), updates with a growing duration, three end packets with the final duration, then
 * a gap of audio. Calls queue up behind each other.
 */
export class DtmfSender {
  private readonly jobs: Job[] = [];
  /** Position in the first job: digit index and tick within that digit. */
  private digit = 0;
  private tick = 0;
  private eventTimestamp = 0;

  get active(): boolean {
    return this.jobs.length > 0;
  }

  enqueue(digits: string, durationMs = DEFAULT_DTMF_DURATION_MS): Promise<void> {
    const events = [...digits].map((d) => eventForDigit(d));
    const bad = [...digits].find((_, i) => events[i] === null);
    if (digits.length === 0 || bad !== undefined) {
      return Promise.reject(new RangeError(`DTMF digits must be 0-9, *, #, A-D; got "${digits}"`));
    }
    const clamped = Math.min(MAX_DURATION_MS, Math.max(MIN_DURATION_MS, durationMs));
    return new Promise((resolve, reject) => {
      this.jobs.push({ events: events as number[], ticks: Math.ceil(clamped / 20), resolve, reject });
    });
  }

  /** Advances one tick; a packet to send, or null for a tick of ordinary audio (a gap). */
  step(streamTimestamp: number): DtmfPacket | null {
    const job = this.jobs[0];
    if (!job) return null;
    const tick = this.tick++;
    let packet: DtmfPacket | null = null;
    if (tick === 0) this.eventTimestamp = streamTimestamp;
    if (tick < job.ticks + END_PACKETS) {
      const end = tick >= job.ticks;
      const duration = SAMPLES_PER_FRAME * (end ? job.ticks : tick + 1);
      const payload = buildTelephoneEvent({ event: job.events[this.digit]!, end, volume: VOLUME, duration });
      packet = { payload, marker: tick === 0, timestamp: this.eventTimestamp };
    }
    if (this.tick === job.ticks + END_PACKETS + GAP_TICKS) {
      this.tick = 0;
      if (++this.digit === job.events.length) {
        this.digit = 0;
        this.jobs.shift();
        job.resolve();
      }
    }
    return packet;
  }

  /** Fails every queued transmission (the session closed). */
  cancel(error: Error): void {
    for (const job of this.jobs.splice(0)) job.reject(error);
    this.digit = 0;
    this.tick = 0;
  }
}
