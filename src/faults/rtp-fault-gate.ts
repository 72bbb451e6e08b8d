import type { Clock } from "../shared/clock.js";
import type { FaultChecker, RtpFaultContext } from "./fault-points.js";
import type { RtpFaultAction } from "./fault-rule.js";
import type { RandomSource } from "./seeded-random.js";

/** What the gate reads of a media session (its local port and the tags the B2BUA set). */
export interface RtpStream {
  readonly localPort: number;
  readonly tags: {
    readonly callId?: string;
    readonly tenantId?: string;
    readonly tenant?: string;
    readonly trunkId?: string;
    readonly trunk?: string;
  };
}

/** Another SSRC when a rule names none: fixed, so the changed stream stays one stream. */
const SSRC_FLIP = 0x5eed5eed;
const SSRC_OFFSET = 8;

/**
 * Applies RTP faults packet by packet: `rtp.in` before the session parses a packet,
 * `rtp.out` after it built one. Hits are reported once per rule and stream; the hit
 * counter counts packets.
 */
export class RtpFaultGate {
  constructor(
    private readonly engine: FaultChecker,
    private readonly options: { readonly timers: Clock },
  ) {}

  /** Whether any rule may act on RTP in this direction now: without one the callers skip the gate (and its closure per packet). */
  applies(direction: "in" | "out"): boolean {
    return this.engine.hasRulesFor(direction === "in" ? "rtp.in" : "rtp.out");
  }

  incoming(session: RtpStream, _packet: Buffer, deliver: () => void): void {
    if (!this.engine.hasRulesFor("rtp.in")) {
      deliver();
      return;
    }
    const decision = this.engine.check("rtp.in", context(session, "in"));
    if (!decision) deliver();
    else if (decision.action.type === "delay") this.later(delayOf(decision.action, decision.random), deliver);
    // drop and stop receive: the packet is lost (ssrc never reaches rtp.in).
  }

  outgoing(session: RtpStream, packet: Buffer, transmit: (packet: Buffer) => void): void {
    if (!this.engine.hasRulesFor("rtp.out")) {
      transmit(packet);
      return;
    }
    const decision = this.engine.check("rtp.out", context(session, "out"));
    const action = decision?.action;
    if (!decision || !action) transmit(packet);
    else if (action.type === "delay") this.later(delayOf(action, decision.random), () => transmit(packet));
    else if (action.type === "ssrc") transmit(withSsrc(packet, action.ssrc));
    // drop and stop send: nothing goes out.
  }

  private later(ms: number, fn: () => void): void {
    if (ms <= 0) fn();
    else this.options.timers.setTimer(ms, fn);
  }
}

function context(session: RtpStream, direction: "in" | "out"): RtpFaultContext {
  const tags = session.tags;
  return {
    ...(tags.callId === undefined ? {} : { callId: tags.callId }),
    tenant: present(tags.tenantId, tags.tenant),
    trunk: present(tags.trunkId, tags.trunk),
    get reportOncePer() {
      return `${direction}:${session.localPort}`;
    },
    get summary() {
      const call = tags.callId === undefined ? "" : ` (call ${tags.callId})`;
      return `RTP ${direction === "in" ? "received on" : "sent from"} port ${session.localPort}${call}`;
    },
  };
}

/** `ms` ± up to `jitterMs`, never below 0: packets overtake each other as on a jittery path. */
function delayOf(action: Extract<RtpFaultAction, { type: "delay" }>, random: RandomSource): number {
  const jitter = action.jitterMs ?? 0;
  return Math.max(0, Math.round(action.ms + (random() * 2 - 1) * jitter));
}

/** A copy with the SSRC field (RFC 3550 §5.1) replaced. */
function withSsrc(packet: Buffer, ssrc: number | undefined): Buffer {
  const copy = Buffer.from(packet);
  if (copy.length >= SSRC_OFFSET + 4) {
    const next = ssrc ?? (copy.readUInt32BE(SSRC_OFFSET) ^ SSRC_FLIP) >>> 0;
    copy.writeUInt32BE(next, SSRC_OFFSET);
  }
  return copy;
}

function present(...values: (string | undefined)[]): string[] {
  return values.filter((v): v is string => v !== undefined);
}
