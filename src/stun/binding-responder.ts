import { type TransportAddress, unmapIPv4 } from "./ip-address.js";
import {
  AttributeType,
  type ChangeRequest,
  decodeChangeRequest,
  encodeErrorCode,
  encodeMappedAddress,
  encodeUnknownAttributes,
  encodeXorMappedAddress,
  isUnknownComprehensionRequired,
} from "./stun-attributes.js";
import {
  BINDING_METHOD,
  encodeStunMessage,
  parseStunMessage,
  type StunAttribute,
  type StunMessage,
} from "./stun-message.js";

export const SOFTWARE = "unify-phone-emulator";

/** What the server that read the request can do (RFC 5780 §7.2). */
export interface BindingCapabilities {
  /** The server has a second IP address to answer from ("change IP"). */
  readonly alternateIp: boolean;
  /** The server has a second port to answer from ("change port"). */
  readonly alternatePort: boolean;
  /** Over TCP the answer can only go back on the connection: no change of IP or port. */
  readonly transport: "udp" | "tcp";
}

export type BindingRead =
  | { readonly action: "request"; readonly request: StunMessage; readonly change: ChangeRequest }
  | {
      readonly action: "error";
      readonly response: Buffer;
      readonly code: number;
      readonly detail: string;
      /** For 420: the comprehension-required attribute types we lack. */
      readonly unknown: readonly number[];
    }
  | { readonly action: "ignore"; readonly reason: string };

/** Where the success response says things are (all as the client should see them). */
export interface BindingAnswer {
  /** The reflexive transport address: the source, or what an emulated NAT or a fault made of it. */
  readonly mapped: TransportAddress;
  /** Where the response leaves from (RESPONSE-ORIGIN / SOURCE-ADDRESS). */
  readonly origin: TransportAddress;
  /** The server's other IP and port (OTHER-ADDRESS / CHANGED-ADDRESS); null when it has none. */
  readonly other: TransportAddress | null;
}

const NO_CHANGE: ChangeRequest = { ip: false, port: false };

/**
 * Reads one message as a Binding request (RFC 5389 §7.3): a well-formed request comes back
 * with its CHANGE-REQUEST; one we must refuse comes back as the error response to send
 * (420 for unknown comprehension-required attributes or a change we cannot make, 400 for a
 * malformed CHANGE-REQUEST or one over TCP); anything else is to be dropped.
 */
export function readBindingRequest(data: Buffer, can: BindingCapabilities): BindingRead {
  const parsed = parseStunMessage(data);
  if (!parsed.ok) return { action: "ignore", reason: parsed.reason };
  const request = parsed.message;
  // RFC 5389 §7.3: indications and responses have nothing to answer; other methods are not ours.
  if (request.class !== "request") return { action: "ignore", reason: `a ${request.class}, not a request` };
  if (request.method !== BINDING_METHOD) {
    return {
      action: "ignore",
      reason: `method 0x${request.method.toString(16).padStart(3, "0")} is not Binding`,
    };
  }
  // RFC 5389 §15.5: a message whose FINGERPRINT does not match is not STUN at all.
  if (request.fingerprint === "invalid") return { action: "ignore", reason: "FINGERPRINT does not match" };

  const unknown = [
    ...new Set(request.attributes.map((a) => a.type).filter((type) => isUnknownComprehensionRequired(type))),
  ];
  if (unknown.length > 0) return unknownAttributes(request, unknown);
  const changeValue = request.attributes.find((a) => a.type === AttributeType.ChangeRequest)?.value;
  if (changeValue === undefined) return { action: "request", request, change: NO_CHANGE };
  if (changeValue.length !== 4) return badRequest(request, "CHANGE-REQUEST is not 4 bytes");
  const change = decodeChangeRequest(changeValue);
  if (can.transport === "tcp" && (change.ip || change.port)) {
    return badRequest(request, "CHANGE-REQUEST cannot be honoured on a connection");
  }
  // RFC 5780 §6.1: a server without the alternate address asked for answers CHANGE-REQUEST 420.
  if ((change.ip && !can.alternateIp) || (change.port && !can.alternatePort)) {
    return unknownAttributes(request, [AttributeType.ChangeRequest]);
  }
  return { action: "request", request, change };
}

/**
 * The success response (RFC 5389 §7.3.1, RFC 5780 §7.3). An RFC 3489 client gets
 * MAPPED-ADDRESS, SOURCE-ADDRESS and CHANGED-ADDRESS; an RFC 5389 client gets
 * XOR-MAPPED-ADDRESS, MAPPED-ADDRESS (for clients that still read it), RESPONSE-ORIGIN and
 * OTHER-ADDRESS.
 */
export function bindingSuccess(request: StunMessage, answer: BindingAnswer): Buffer {
  const mapped = unmapIPv4(answer.mapped);
  const origin = unmapIPv4(answer.origin);
  const other = answer.other && unmapIPv4(answer.other);
  const attributes: StunAttribute[] = request.classic
    ? [
        { type: AttributeType.MappedAddress, value: encodeMappedAddress(mapped) },
        { type: AttributeType.SourceAddress, value: encodeMappedAddress(origin) },
        ...(other ? [{ type: AttributeType.ChangedAddress, value: encodeMappedAddress(other) }] : []),
      ]
    : [
        {
          type: AttributeType.XorMappedAddress,
          value: encodeXorMappedAddress(mapped, request.transactionId),
        },
        { type: AttributeType.MappedAddress, value: encodeMappedAddress(mapped) },
        { type: AttributeType.ResponseOrigin, value: encodeMappedAddress(origin) },
        ...(other ? [{ type: AttributeType.OtherAddress, value: encodeMappedAddress(other) }] : []),
      ];
  return encodeStunMessage({
    method: BINDING_METHOD,
    class: "success",
    transactionId: request.transactionId,
    attributes: [...attributes, software()],
    fingerprint: request.fingerprint === "valid",
  });
}

/** RFC 5389 §7.3.1: 420 (Unknown Attribute) listing the comprehension-required attributes we lack. */
function unknownAttributes(request: StunMessage, unknown: readonly number[]): BindingRead {
  const response = errorResponse(request, 420, "Unknown Attribute", [
    { type: AttributeType.UnknownAttributes, value: encodeUnknownAttributes(unknown) },
  ]);
  return { action: "error", response, code: 420, detail: "Unknown Attribute", unknown };
}

function badRequest(request: StunMessage, detail: string): BindingRead {
  const response = errorResponse(request, 400, `Bad Request: ${detail}`, []);
  return { action: "error", response, code: 400, detail, unknown: [] };
}

function errorResponse(request: StunMessage, code: number, reason: string, extra: StunAttribute[]): Buffer {
  return encodeStunMessage({
    method: BINDING_METHOD,
    class: "error",
    transactionId: request.transactionId,
    attributes: [
      { type: AttributeType.ErrorCode, value: encodeErrorCode(code, reason) },
      ...extra,
      software(),
    ],
    fingerprint: request.fingerprint === "valid",
  });
}

function software(): StunAttribute {
  return { type: AttributeType.Software, value: Buffer.from(SOFTWARE, "utf8") };
}
