import type { ReceptionSnapshot } from "./rtcp-report.js";

/** RFC 3550 §A.1: a jump of up to MAX_DROPOUT ahead is loss; within MAX_MISORDER behind, reordering. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const SEQ_MOD = 65536;

/** The sequence state of the current source (RFC 3550 §A.1, without the probation). */
interface SourceState {
  ssrc: number;
  baseSeq: number;
  maxSeq: number;
  cycles: number;
  received: number;
  /** After a big jump: the sequence number that confirms the sender restarted, or -1. */
  badSeq: number;
}

/**
 * Loss (RFC 3550 §A.3) and interarrival jitter (§A.8) of the packets we receive. A new
 * SSRC, or a confirmed sequence restart, starts a new count; the loss counted so far is kept.
 */
export class RtpReceiveStats {
  private source: SourceState | null = null;
  private lostEarlier = 0;
  private jitter = 0;
  /** The previous audio packet's timestamp and arrival (hasPrevious false before one). */
  private hasPrevious = false;
  private previousTimestamp = 0;
  private previousArrival = 0;

  /** Counts one packet; `arrival` is in RTP timestamp units of the same clock. */
  record(ssrc: number, sequenceNumber: number, timestamp: number, arrival: number, forJitter: boolean): void {
    const source = this.source;
    if (!source || source.ssrc !== ssrc) {
      this.lostEarlier += this.currentLoss();
      this.source = this.start(ssrc, sequenceNumber);
      this.hasPrevious = false;
    } else if (!this.updateSequence(source, sequenceNumber)) return;
    if (!forJitter) return;
    if (this.hasPrevious) {
      // Differences of transit times; the timestamp delta is taken modulo 2^32.
      const d = arrival - this.previousArrival - ((timestamp - this.previousTimestamp) | 0);
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    this.hasPrevious = true;
    this.previousTimestamp = timestamp;
    this.previousArrival = arrival;
  }

  get packetsLost(): number {
    return Math.max(0, this.lostEarlier + this.currentLoss());
  }

  /** The current source's counts for a reception report (RFC 3550 §A.3); null before any packet. */
  snapshot(): ReceptionSnapshot | null {
    const s = this.source;
    if (!s) return null;
    const extendedHighestSeq = s.cycles + s.maxSeq;
    return {
      ssrc: s.ssrc,
      extendedHighestSeq,
      expected: extendedHighestSeq - s.baseSeq + 1,
      received: s.received,
      jitter: this.jitter,
    };
  }

  /** The jitter estimate in timestamp units. */
  get jitterUnits(): number {
    return this.jitter;
  }

  private currentLoss(): number {
    const s = this.source;
    if (!s) return 0;
    return s.cycles + s.maxSeq - s.baseSeq + 1 - s.received;
  }

  private start(ssrc: number, seq: number): SourceState {
    return { ssrc, baseSeq: seq, maxSeq: seq, cycles: 0, received: 1, badSeq: -1 };
  }

  /** RFC 3550 §A.1 update_seq; false when the packet is held back as a possible restart. */
  private updateSequence(s: SourceState, seq: number): boolean {
    const delta = (seq - s.maxSeq + SEQ_MOD) % SEQ_MOD;
    if (delta < MAX_DROPOUT) {
      if (seq < s.maxSeq) s.cycles += SEQ_MOD;
      s.maxSeq = seq;
    } else if (delta <= SEQ_MOD - MAX_MISORDER) {
      if (seq !== s.badSeq) {
        s.badSeq = (seq + 1) % SEQ_MOD;
        return false;
      }
      // Two sequential packets after a big jump: the sender restarted its sequence.
      this.lostEarlier += this.currentLoss();
      this.source = this.start(s.ssrc, seq);
      return true;
    }
    s.received++;
    return true;
  }
}
