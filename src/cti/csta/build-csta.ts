import { CSTA_ERROR_CATEGORIES, malformed } from "./csta-error.js";
import {
  CONNECTION_STATES,
  type ConnectionId,
  CSTA_NAMESPACE,
  type CstaMessage,
  FORWARDING_TYPES,
  type ForwardingEntry,
  MESSAGE_SPECS,
  type SnapshotCall,
} from "./message-specs.js";
import { checkBool, checkEnum, checkInvokeId, checkText } from "./values.js";

const element = (name: string, inner: string): string => `<${name}>${inner}</${name}>`;

const connection = (value: unknown, where: string): string => {
  const conn = (value ?? {}) as Partial<ConnectionId>;
  return (
    element("callID", checkText(conn.callID, `${where}/callID`)) +
    element("deviceID", checkText(conn.deviceID, `${where}/deviceID`))
  );
};

const snapshot = (value: unknown, where: string): string => {
  if (!Array.isArray(value)) throw malformed(`${where}: not a list`);
  const items = (value as SnapshotCall[]).map((call) =>
    element(
      "snapshotDeviceResponseInfo",
      element(
        "connectionIdentifier",
        connection(call?.connectionIdentifier, `${where}/connectionIdentifier`),
      ) +
        element(
          "localCallState",
          element(
            "compoundCallState",
            element(
              "localConnectionState",
              checkEnum(call?.localConnectionState, CONNECTION_STATES, `${where}/localConnectionState`),
            ),
          ),
        ),
    ),
  );
  return element("snapshotData", items.join(""));
};

const forwardingList = (value: unknown, where: string): string => {
  if (!Array.isArray(value)) throw malformed(`${where}: not a list`);
  return (value as ForwardingEntry[])
    .map((entry) =>
      element(
        "forwardListItem",
        element(
          "forwardingType",
          checkEnum(entry?.forwardingType, FORWARDING_TYPES, `${where}/forwardingType`),
        ) +
          element("forwardStatus", String(checkBool(entry?.forwardStatus, `${where}/forwardStatus`))) +
          (entry?.forwardDN === undefined
            ? ""
            : element("forwardDN", checkText(entry.forwardDN, `${where}/forwardDN`))),
      ),
    )
    .join("");
};

const field = (name: string, kind: string, value: unknown): string => {
  switch (kind) {
    case "deviceIdentifier":
    case "deviceObject":
      return element(name, element(kind, checkText(value, name)));
    case "conn":
      return element(name, connection(value, name));
    case "bool":
      return element(name, String(checkBool(value, name)));
    case "state":
      return element(name, checkEnum(value, CONNECTION_STATES, name));
    case "fwdType":
      return element(name, checkEnum(value, FORWARDING_TYPES, name));
    case "snapshot":
      return element(name, snapshot(value, name));
    case "forwardingList":
      return element(name, forwardingList(value, name));
    default:
      return element(name, checkText(value, name));
  }
};

/**
 * The ECMA-323 XML of a message: an XML declaration and one root element in the edition 3
 * namespace, children in schema order, no whitespace. Throws CstaError when a value is not valid.
 */
export const buildCsta = (message: CstaMessage): string => {
  const type = message.type;
  const invoke = message.invokeId === undefined ? "" : ` invokeID="${checkInvokeId(message.invokeId)}"`;
  let inner: string;
  if (type === "CSTAErrorCode") {
    const category = checkEnum(message.category, CSTA_ERROR_CATEGORIES, "CSTAErrorCode category");
    inner = element(category, checkText(message.value, `CSTAErrorCode/${category}`));
  } else {
    const spec = MESSAGE_SPECS[type] as Record<string, { kind: string; optional?: true }> | undefined;
    if (spec === undefined) throw malformed(`${String(type)}: not a CSTA message this codec knows`);
    const values = message as unknown as Record<string, unknown>;
    inner = Object.entries(spec)
      .filter(([name, fieldSpec]) => !(fieldSpec.optional && values[name] === undefined))
      .map(([name, fieldSpec]) => field(name, fieldSpec.kind, values[name]))
      .join("");
  }
  const open = `<${type} xmlns="${CSTA_NAMESPACE}"${invoke}`;
  return `<?xml version="1.0" encoding="UTF-8"?>${inner === "" ? `${open}/>` : `${open}>${inner}</${type}>`}`;
};
