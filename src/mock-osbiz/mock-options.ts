import type { MediaMode } from "../media/index.js";
import type { Clock } from "../shared/clock.js";
import { callsForUplink, defaultRtpChannels, isPbxModel, type PbxModel } from "./pbx-model.js";
import type { MockPbxUserInput } from "./pbx-users.js";

/** The location number of the connectivity wizard (SPEC §1), e.g. 49 / 2302 / 667. */
export interface MockNumbering {
  schema: "international" | "internal";
  countryCode?: string;
  areaCode?: string;
  pabxNumber?: string;
}

/** What the mock does with an INVITE from the connector. */
export interface MockBehaviour {
  /** answer: 180, then 200 after ringMs; busy: 486; reject: 603; no-answer: 180 and nothing more. */
  mode: "answer" | "busy" | "reject" | "no-answer";
  /** Ringing time before the answer (default 1000 ms). */
  ringMs?: number;
  /** What the mock sends on answered calls (default tone: a PBX user who talks). */
  media?: MediaMode;
}

/**
 * Trunk settings changed in Expert Mode after the wizard set them: the registrar port, the
 * SIP domain (also used as the digest realm) or the transport (tcp: no TLS).
 */
export interface ExpertModeDrift {
  registrarPort?: number;
  domain?: string;
  transport?: "tls" | "tcp";
}

export interface MockOsbizOptions {
  /** The emulator's REST base URL, e.g. "https://127.0.0.1:8443". */
  url: string;
  /** The tenant's API key (the wizard's "API key" field). */
  apiKey: string;
  /** PEM of the emulator's CA, trusted for HTTPS and SIP over TLS. */
  ca?: string | Buffer;
  /** Identifies this PBX to the connector; provisioning is idempotent per systemId. */
  systemId?: string;
  name?: string;
  simultaneousCalls?: number;
  /** System model: its Unify Phone user limit (X1 50, X3/X5 150, X8/S 500) and RTP channels. Default X3. */
  model?: PbxModel;
  /** Upstream bandwidth: simultaneousCalls = floor(kbps / 128), at most the RTP channels, when not given. */
  uplinkKbps?: number;
  /** The shared RTP proxy channels: total (60 on X models, 180 on S) and busy ones (ITSP) at start. */
  rtpChannels?: { total?: number; busy?: number };
  /** The PBX's Unify Phone users (the user wizard's list, limited by the model). */
  users?: MockPbxUserInput[];
  /** Trunk configuration changed in Expert Mode after provisioning. */
  expertMode?: ExpertModeDrift;
  numbering?: MockNumbering;
  behaviour?: MockBehaviour;
  rtp?: {
    /** Local address of the RTP sockets (default 0.0.0.0). */
    bind?: string;
    /** Even ports of this range carry RTP (default 30000-30999). */
    portRange?: { min: number; max: number };
    /** Address written into SDP (default: the local address of the TLS connection). */
    host?: string;
  };
  /** Every step as one readable line. */
  log?: (line: string) => void;
  /** Expires asked for in REGISTER, in seconds (default: the provisioned registerInterval, 600). */
  expires?: number;
  /**
   * Share of the granted expiry kept as a safety margin: the binding is refreshed after
   * (1 − margin) × expires. Default 0.2, i.e. at 80 %.
   */
  reregisterMargin?: number;
  /** CRLFCRLF keep-alive interval (RFC 5626 §4.4.1), ms; 0 turns it off. Default 30 000. */
  keepAliveMs?: number;
  /** Delays between reconnection attempts: doubled from `initialMs` up to `maxMs`. */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** Timers of registration refresh, keep-alive, ringing and reconnection (default: real time). */
  clock?: Clock;
  /** Whether REFER inside a trunk call is taken (default true); false: 501, as a PBX without it. */
  refer?: boolean;
  /** A twinned call rings this long before a desk phone's forwardNoAns moves it on (default 15 000 ms). */
  noAnswerMs?: number;
}

/** The options with every default filled in. */
export interface ResolvedMockOptions {
  readonly systemId: string;
  readonly name: string;
  readonly behaviour: Required<MockBehaviour>;
  readonly rtp: { bind: string; portRange: { min: number; max: number }; host: string | undefined };
  readonly log: (line: string) => void;
  readonly expires: number | undefined;
  readonly reregisterMargin: number;
  readonly keepAliveMs: number;
  readonly reconnect: { initialMs: number; maxMs: number };
  readonly model: PbxModel;
  readonly rtpChannels: { total: number; busy: number };
  /** What the wizard sends as simultaneousCalls (undefined: the stored value stays). */
  readonly simultaneousCalls: number | undefined;
  readonly expertMode: ExpertModeDrift | undefined;
  readonly refer: boolean;
  readonly noAnswerMs: number;
}

const BEHAVIOUR_MODES = new Set(["answer", "busy", "reject", "no-answer"]);
const MEDIA_MODES = new Set(["echo", "tone", "silence"]);

export function resolveMockOptions(options: MockOsbizOptions): ResolvedMockOptions {
  const behaviour = options.behaviour ?? { mode: "answer" };
  if (!BEHAVIOUR_MODES.has(behaviour.mode)) {
    throw new RangeError(`behaviour.mode "${behaviour.mode}": use answer, busy, reject or no-answer`);
  }
  const media = behaviour.media ?? "tone";
  if (!MEDIA_MODES.has(media)) throw new RangeError(`behaviour.media "${media}": use echo, tone or silence`);
  const margin = options.reregisterMargin ?? 0.2;
  if (!(margin > 0 && margin < 1)) throw new RangeError("reregisterMargin must lie between 0 and 1");
  if (options.expires !== undefined && !(Number.isInteger(options.expires) && options.expires > 0)) {
    throw new RangeError("expires must be a positive whole number of seconds");
  }
  const model = options.model ?? "X3";
  if (!isPbxModel(model)) throw new RangeError(`model "${model}": use X1, X3, X5, X8 or S`);
  const rtpChannels = resolveRtpChannels(options.rtpChannels, model);
  if (options.simultaneousCalls !== undefined) wholeNumber("simultaneousCalls", options.simultaneousCalls);
  if (options.uplinkKbps !== undefined) wholeNumber("uplinkKbps", options.uplinkKbps);
  const simultaneousCalls =
    options.simultaneousCalls ??
    (options.uplinkKbps === undefined ? undefined : callsForUplink(options.uplinkKbps, rtpChannels.total));
  if (options.expertMode) checkDrift(options.expertMode);
  if (options.noAnswerMs !== undefined) wholeNumber("noAnswerMs", options.noAnswerMs);
  return {
    refer: options.refer ?? true,
    noAnswerMs: options.noAnswerMs ?? 15_000,
    model,
    rtpChannels,
    simultaneousCalls,
    expertMode: options.expertMode,
    systemId: options.systemId ?? "osbiz-mock",
    name: options.name ?? "Mock OSBiz",
    behaviour: { mode: behaviour.mode, ringMs: Math.max(0, behaviour.ringMs ?? 1000), media },
    rtp: {
      bind: options.rtp?.bind ?? "0.0.0.0",
      portRange: options.rtp?.portRange ?? { min: 30000, max: 30999 },
      host: options.rtp?.host,
    },
    log: options.log ?? (() => undefined),
    expires: options.expires,
    reregisterMargin: margin,
    keepAliveMs: options.keepAliveMs ?? 30_000,
    reconnect: {
      initialMs: options.reconnect?.initialMs ?? 1000,
      maxMs: options.reconnect?.maxMs ?? 30_000,
    },
  };
}

function wholeNumber(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${name} ${value}: want a whole number ≥ 0`);
}

function resolveRtpChannels(
  given: MockOsbizOptions["rtpChannels"],
  model: PbxModel,
): { total: number; busy: number } {
  const total = given?.total ?? defaultRtpChannels(model);
  const busy = given?.busy ?? 0;
  wholeNumber("rtpChannels.total", total);
  wholeNumber("rtpChannels.busy", busy);
  if (busy > total) throw new RangeError(`rtpChannels.busy ${busy} exceeds rtpChannels.total ${total}`);
  return { total, busy };
}

/** RangeError for a drift the mock cannot apply. */
export function checkDrift(drift: ExpertModeDrift): void {
  const { registrarPort, domain, transport } = drift;
  if (
    registrarPort !== undefined &&
    !(Number.isInteger(registrarPort) && registrarPort > 0 && registrarPort < 65536)
  )
    throw new RangeError(`expertMode.registrarPort ${registrarPort}: want a port 1-65535`);
  if (domain !== undefined && !/^[A-Za-z0-9.-]{1,253}$/.test(domain))
    throw new RangeError(`expertMode.domain "${domain}": want a host name`);
  if (transport !== undefined && transport !== "tls" && transport !== "tcp")
    throw new RangeError(`expertMode.transport "${transport}": use tls or tcp`);
}

/** "49/2302/667" → international with that location number; "internal" → internal short numbers. */
export function parseNumbering(text: string): MockNumbering {
  if (text.trim().toLowerCase() === "internal") return { schema: "internal" };
  const parts = text.split("/").map((p) => p.trim());
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) {
    throw new RangeError(`numbering "${text}": use country/area/pabx (e.g. 49/2302/667) or "internal"`);
  }
  const [countryCode, areaCode, pabxNumber] = parts as [string, string, string];
  return { schema: "international", countryCode, areaCode, pabxNumber };
}
