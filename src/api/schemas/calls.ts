import { isoTime } from "./common.js";

const statsSchema = {
  type: "object",
  properties: {
    packetsSent: { type: "integer" },
    packetsReceived: { type: "integer" },
    bytesSent: { type: "integer" },
    bytesReceived: { type: "integer" },
    packetsLost: { type: "integer" },
    jitterMs: { type: "number" },
    rtcp: {
      type: "object",
      description: "RTCP (RFC 3550) of the leg: compound packets sent and received, the peer's last report",
      properties: {
        sent: { type: "integer" },
        received: { type: "integer" },
        ignored: { type: "integer", description: "malformed RTCP datagrams, dropped" },
        cname: { type: "string" },
        peerCname: { type: ["string", "null"] },
        lastReport: {
          type: ["object", "null"],
          description: "the peer's latest report block about our stream",
          properties: {
            fractionLost: { type: "number", description: "0–1, since the peer's previous report" },
            cumulativeLost: { type: "integer" },
            jitterMs: { type: "number" },
            rttMs: {
              type: ["number", "null"],
              description: "from LSR/DLSR; null until the peer echoes an SR",
            },
          },
        },
      },
    },
  },
} as const;

/** One leg of a client call's anchored media (docs/media.md). */
const legMediaSchema = {
  type: "object",
  properties: {
    kind: { enum: ["rtp", "webrtc"], description: "plain RTP (Node clients, the PBX) or WebRTC (browsers)" },
    localPort: { type: "integer", description: "the connector's port of this leg" },
    codec: { type: ["string", "null"] },
    direction: { type: "string" },
    remote: { type: ["string", "null"], description: "the peer's RTP address:port, as latched" },
    stats: statsSchema,
  },
} as const;

export const callSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    direction: { enum: ["pbx-to-user", "user-to-pbx"] },
    state: { enum: ["setup", "ringing", "answered", "ended"] },
    tenantId: { type: "string" },
    trunkId: { type: "string" },
    trunk: { type: "string" },
    userId: { type: ["string", "null"] },
    from: { type: "string" },
    to: { type: "string" },
    createdAt: isoTime,
    ringingAt: isoTime,
    answeredAt: isoTime,
    endedAt: isoTime,
    durationMs: { type: ["integer", "null"], description: "answered → ended (or now), emulator clock" },
    finalStatus: { type: ["integer", "null"], description: "final SIP status of the INVITE" },
    hangupCause: { type: ["string", "null"] },
    endedBy: { type: ["string", "null"], enum: ["pbx", "user", "emulator", null] },
    refusedBy: {
      type: ["string", "null"],
      enum: ["pbx", "connector", null],
      description: "who refused the unanswered call: the PBX's final response, or the connector's own",
    },
    warning: { type: ["string", "null"], description: "the refusing side's Warning text (RFC 3261 §20.43)" },
    onHold: { type: "boolean" },
    media: {
      type: ["object", "null"],
      properties: {
        mode: { type: "string" },
        direction: { type: "string" },
        localPort: { type: "integer" },
        stats: statsSchema,
        pbx: legMediaSchema,
        client: { ...legMediaSchema, type: ["object", "null"] },
      },
    },
    dtmf: {
      type: "array",
      items: {
        type: "object",
        properties: { digit: { type: "string" }, via: { enum: ["rfc4733", "info"] }, at: { type: "string" } },
      },
    },
    legs: {
      type: "array",
      items: {
        type: "object",
        properties: {
          kind: { type: "string" },
          callId: { type: "string" },
          status: { type: "integer" },
          reason: { type: "string" },
        },
      },
    },
    events: {
      type: "array",
      items: {
        type: "object",
        properties: { at: { type: "string" }, type: { type: "string" }, detail: { type: "string" } },
      },
    },
    kind: {
      enum: ["connector", "desk-phone"],
      description:
        "connector: through the connector (SIP); desk-phone: a call only the desk phone had (CSTA)",
    },
    pulledFrom: {
      type: ["string", "null"],
      description: "a call pulled from the desk phone: the journal entry it came from",
    },
    cti: {
      type: "array",
      description: "the CSTA messages about this call (docs/calls.md, docs/cti.md)",
      items: {
        type: "object",
        properties: {
          at: { type: "string" },
          direction: { enum: ["in", "out"] },
          type: { type: "string" },
          invokeID: { type: "string" },
          cstaCallId: { type: "string" },
          device: { type: "string" },
        },
      },
    },
  },
  required: ["id", "direction", "state", "trunk", "from", "to", "createdAt", "events"],
} as const;

export const startCallBody = {
  type: "object",
  properties: {
    fromUser: { type: "string", minLength: 1, description: "user id, or e-mail with tenantId" },
    tenantId: { type: "string" },
    to: { type: "string", pattern: "^\\+?[0-9*#]{1,32}$", description: "number dialed toward the PBX" },
    media: { enum: ["echo", "tone", "silence"] },
  },
  required: ["fromUser", "to"],
  additionalProperties: false,
} as const;

export const callsQuery = {
  type: "object",
  properties: {
    tenantId: { type: "string" },
    userId: { type: "string" },
    trunk: { type: "string", description: "trunk id or name (gtc-001)" },
    state: { enum: ["active", "ended"] },
  },
  additionalProperties: false,
} as const;
