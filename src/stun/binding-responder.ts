import { type TransportAddress, unmapIPv4 } from "./ip-address.js";
import {
  AttributeType,
  encodeErrorCode,
  encodeMappedAddress,
  encodeUnknownAttributes,
  encodeXorMappedAddress,
  isUnknownComprehensionRequired,
} from "./stun-attributes.js";
import { BINDING_METHOD, encodeStunMessage, parseStunMessage, type StunAttribute } from "./stun-message.js";

export const SOFTWARE = "unify-phone-emulator";

export type BindingOutcome =
  | { readonly action: "success"; readonly response: Buffer; readonly mapped: TransportAddress }
  | { readonly action: "unknown-attributes"; readonly response: Buffer; readonly unknown: readonly number[] }
  | { readonly action: "ignore"; readonly reason: string };

/**
 * What a STUN server does with one datagram from `source` (RFC 5389 §7.3): a Binding
 * request gets a success response carrying the source address; a request with unknown
 * comprehension-required attributes gets 420; everything else is dropped.
 */
export function respondToBinding(datagram: Buffer, source: TransportAddress): BindingOutcome {
  const parsed = parseStunMessage(datagram);
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

  const withFingerprint = request.fingerprint === "valid";
  const software: StunAttribute = { type: AttributeType.Software, value: Buffer.from(SOFTWARE, "utf8") };
  const unknown = [
    ...new Set(request.attributes.map((a) => a.type).filter((type) => isUnknownComprehensionRequired(type))),
  ];
  if (unknown.length > 0) {
    // RFC 5389 §7.3.1: 420 (Unknown Attribute) listing the comprehension-required attributes we lack.
    const response = encodeStunMessage({
      method: BINDING_METHOD,
      class: "error",
      transactionId: request.transactionId,
      attributes: [
        { type: AttributeType.ErrorCode, value: encodeErrorCode(420, "Unknown Attribute") },
        { type: AttributeType.UnknownAttributes, value: encodeUnknownAttributes(unknown) },
        software,
      ],
      fingerprint: withFingerprint,
    });
    return { action: "unknown-attributes", response, unknown };
  }

  // RFC 5389 §7.3.1: the success response reflects the source transport address.
  const mapped = unmapIPv4(source);
  const response = encodeStunMessage({
    method: BINDING_METHOD,
    class: "success",
    transactionId: request.transactionId,
    attributes: [
      { type: AttributeType.XorMappedAddress, value: encodeXorMappedAddress(mapped, request.transactionId) },
      { type: AttributeType.MappedAddress, value: encodeMappedAddress(mapped) },
      software,
    ],
    fingerprint: withFingerprint,
  });
  return { action: "success", response, mapped };
}
