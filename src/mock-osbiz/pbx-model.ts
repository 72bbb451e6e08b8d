/**
 * The sizing rules of an OpenScape Business that the connectivity and user wizards apply.
 * Public sources give one data point each; the rules around them are inferred (docs/mock-osbiz.md).
 */

export type PbxModel = "X1" | "X3" | "X5" | "X8" | "S";

export const PBX_MODELS: readonly PbxModel[] = ["X1", "X3", "X5", "X8", "S"];

/**
 * Unify Phone users per system (HowTo §3.3 names 50 / 150 / 500 by model; which model gets
 * which is inferred from the models' sizes: X1 the smallest, X8 and the server S the largest).
 */
const USER_LIMIT: Readonly<Record<PbxModel, number>> = { X1: 50, X3: 150, X5: 150, X8: 500, S: 500 };

/** The shared RTP proxy channels (Device@Home: 60 on X models, 180 on S). */
const RTP_CHANNELS: Readonly<Record<PbxModel, number>> = { X1: 60, X3: 60, X5: 60, X8: 60, S: 180 };

/**
 * Upstream bandwidth one Unify Phone call takes in the wizard's computation: HowTo §3.1–3.2
 * gives 2048 kbps → 16 calls, i.e. 128 kbps a call (a G.711 stream is ≈ 87 kbps with
 * IP/UDP/RTP headers; the rest is the wizard's margin).
 */
export const KBPS_PER_CALL = 128;

export function userLimit(model: PbxModel): number {
  return USER_LIMIT[model];
}

export function defaultRtpChannels(model: PbxModel): number {
  return RTP_CHANNELS[model];
}

/**
 * Simultaneous Unify Phone calls the wizard offers for an upstream bandwidth: one per
 * 128 kbps, and never more than the RTP proxy channels (each call holds one).
 */
export function callsForUplink(kbps: number, rtpChannels: number): number {
  return Math.min(Math.floor(kbps / KBPS_PER_CALL), rtpChannels);
}

export function isPbxModel(value: string): value is PbxModel {
  return (PBX_MODELS as readonly string[]).includes(value);
}
