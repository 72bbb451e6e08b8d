import { type CodecName, SAMPLES_PER_FRAME } from "./codecs.js";
import { encodeG711 } from "./g711.js";
import { G722Encoder } from "./g722-encoder.js";

export type FrameKind = "tone" | "silence";

/**
 * 0 dBm0 peaks in 16-bit units: G.711 puts the overload point 3.17 dB (μ-law) and 3.14 dB
 * (A-law) above 0 dBm0, at 8159 (14-bit) and 4096 (13-bit) respectively.
 */
const MU_LAW_0DBM0 = (8159 * 4) / 10 ** (3.17 / 20);
const A_LAW_0DBM0 = (4096 * 8) / 10 ** (3.14 / 20);
const TONE_HZ = 1000;

/**
 * A 1 kHz sine. At 8 kHz and phase 9π/8 it gives G.711's digital milliwatt sequence; 20 ms
 * hold exactly 20 periods at either rate, so one frame repeats seamlessly.
 */
function sine(sampleRate: number, amplitude: number): Int16Array {
  const samples = new Int16Array((SAMPLES_PER_FRAME * sampleRate) / 8000);
  for (let n = 0; n < samples.length; n++) {
    samples[n] = Math.round(
      amplitude * Math.sin((2 * Math.PI * TONE_HZ * n) / sampleRate + (9 * Math.PI) / 8),
    );
  }
  return samples;
}

const G711_FRAMES: Record<"PCMU" | "PCMA", Record<FrameKind, Buffer>> = {
  PCMU: {
    tone: encodeG711(sine(8000, MU_LAW_0DBM0), "PCMU"),
    silence: Buffer.alloc(SAMPLES_PER_FRAME, 0xff),
  },
  PCMA: { tone: encodeG711(sine(8000, A_LAW_0DBM0), "PCMA"), silence: Buffer.alloc(SAMPLES_PER_FRAME, 0xd5) },
};

/** The 16 kHz input of the G.722 streams, one 20 ms frame, repeated. */
const G722_INPUT: Record<FrameKind, Int16Array> = {
  tone: sine(16000, MU_LAW_0DBM0),
  silence: new Int16Array(SAMPLES_PER_FRAME * 2),
};

interface G722Stream {
  readonly encoder: G722Encoder;
  tick: number;
  frame: Buffer;
}

/**
 * 20 ms payloads for every session of an engine. G.711 frames are constant. The G.722
 * encoder is adaptive, so its output never settles into a short cycle: one live encoder per
 * kind produces one frame per tick, shared by all sessions (one encode per tick, not per
 * session). A session that joins mid-stream starts its peer's decoder off the encoder's
 * state; SB-ADPCM's leaky adaptation converges within a few tens of milliseconds.
 */
export class AudioFrames {
  private readonly g722 = new Map<FrameKind, G722Stream>();

  frame(codec: CodecName, kind: FrameKind, tick: number): Buffer {
    if (codec !== "G722") return G711_FRAMES[codec][kind];
    let stream = this.g722.get(kind);
    if (!stream) {
      const encoder = new G722Encoder();
      stream = { encoder, tick, frame: encoder.encode(G722_INPUT[kind]) };
      this.g722.set(kind, stream);
    } else if (stream.tick !== tick) {
      stream.tick = tick;
      stream.frame = stream.encoder.encode(G722_INPUT[kind]);
    }
    return stream.frame;
  }
}
