/** The audio codec and telephone-event format negotiated for a session. */
export interface CodecChoice {
  name: "PCMU" | "PCMA" | "G722";
  payloadType: number;
  /** The RTP clock rate: 8000 for all three (G.722 too, RFC 3551 §4.5.2). */
  clockRate: number;
  /** The payload type of telephone-event/8000 (RFC 4733), or null when not negotiated. */
  telephoneEvent: number | null;
}

export type CodecName = CodecChoice["name"];

/** Our codecs in offer order, with their static payload types (RFC 3551 Table 4). */
export const AUDIO_CODECS: readonly { readonly name: CodecName; readonly payloadType: number }[] = [
  { name: "PCMU", payloadType: 0 },
  { name: "PCMA", payloadType: 8 },
  { name: "G722", payloadType: 9 },
];

export const RTP_CLOCK_RATE = 8000;

/** The dynamic payload type we offer for telephone-event. */
export const TELEPHONE_EVENT_PAYLOAD_TYPE = 101;

/** 20 ms of audio in RTP timestamp units; also the payload octets of a 20 ms frame for all three codecs. */
export const SAMPLES_PER_FRAME = 160;

export function codecByName(name: string): CodecName | null {
  const upper = name.toUpperCase();
  return AUDIO_CODECS.find((c) => c.name === upper)?.name ?? null;
}

export function codecByStaticPayloadType(payloadType: number): CodecName | null {
  return AUDIO_CODECS.find((c) => c.payloadType === payloadType)?.name ?? null;
}
