import { XMLParser, XMLValidator } from "fast-xml-parser";
import { CSTA_ERROR_CATEGORIES, CstaError, type CstaErrorCategory, malformed } from "./csta-error.js";
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
import { checkEnum, checkInvokeId, checkText, parseBool } from "./values.js";

/** Largest CSTA body accepted (bytes). Real messages are well under 4 KiB. */
export const MAX_CSTA_BYTES = 64 * 1024;

/** An element as the parser sees it: name, attributes, child elements and its text. */
interface Node {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly Node[];
  readonly text: string;
}

// No entity of any kind is expanded (processEntities off, DOCTYPE refused before parsing), and
// values stay strings (parseTagValue off), so "0049" stays "0049".
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
});

type Raw = Record<string, unknown>;

const toNode = (raw: Raw): Node | string => {
  const name = Object.keys(raw).find((key) => key !== ":@");
  if (name === undefined) throw malformed("empty XML node");
  if (name === "#text") return String(raw[name]);
  const attributes = (raw[":@"] ?? {}) as Record<string, string>;
  const content = raw[name];
  const children: Node[] = [];
  let text = "";
  for (const child of Array.isArray(content) ? (content as Raw[]) : []) {
    const node = toNode(child);
    if (typeof node === "string") text += node;
    else children.push(node);
  }
  if (text !== "" && children.length > 0) throw malformed(`<${name}>: mixed text and elements`);
  return { name, attributes, children, text };
};

/**
 * ECMA-323's DeviceID attributes, which real CSTA clients put on device elements
 * (`<callingDevice typeOfNumber="deviceID">`): accepted and ignored. Any other attribute is an error.
 */
const DEVICE_ATTRIBUTES: ReadonlySet<string> = new Set(["typeOfNumber", "mediaClass", "bitRate"]);

/** The children of `node` by name; a repeated name or one not in `allowed` is an error. */
const childMap = (node: Node, allowed: readonly string[]): Map<string, Node> => {
  if (node.text !== "") throw malformed(`<${node.name}>: text where elements are expected`);
  const map = new Map<string, Node>();
  for (const child of node.children) {
    if (!allowed.includes(child.name)) throw malformed(`<${node.name}>: unexpected element <${child.name}>`);
    if (map.has(child.name)) throw malformed(`<${node.name}>: <${child.name}> repeated`);
    if (Object.keys(child.attributes).some((name) => !DEVICE_ATTRIBUTES.has(name)))
      throw malformed(`<${child.name}>: unexpected attribute`);
    map.set(child.name, child);
  }
  return map;
};

const textOf = (node: Node): string => {
  if (node.children.length > 0) throw malformed(`<${node.name}>: elements where text is expected`);
  return checkText(node.text, `<${node.name}>`);
};

const required = (map: Map<string, Node>, name: string, parent: string): Node => {
  const node = map.get(name);
  if (node === undefined) throw malformed(`<${parent}>: <${name}> missing`);
  return node;
};

const only = (node: Node, child: string): Node => required(childMap(node, [child]), child, node.name);

const connection = (node: Node): ConnectionId => {
  const map = childMap(node, ["callID", "deviceID"]);
  return {
    callID: textOf(required(map, "callID", node.name)),
    deviceID: textOf(required(map, "deviceID", node.name)),
  };
};

const snapshot = (node: Node): SnapshotCall[] =>
  only(node, "snapshotData").children.map((info) => {
    if (info.name !== "snapshotDeviceResponseInfo")
      throw malformed(`<snapshotData>: unexpected <${info.name}>`);
    const map = childMap(info, ["connectionIdentifier", "localCallState"]);
    const state = only(
      only(required(map, "localCallState", info.name), "compoundCallState"),
      "localConnectionState",
    );
    return {
      connectionIdentifier: connection(required(map, "connectionIdentifier", info.name)),
      localConnectionState: checkEnum(textOf(state), CONNECTION_STATES, "localConnectionState"),
    };
  });

const forwardingList = (node: Node): ForwardingEntry[] => {
  if (node.text !== "") throw malformed("<forwardingList>: text where elements are expected");
  return node.children.map((item) => {
    if (item.name !== "forwardListItem") throw malformed(`<forwardingList>: unexpected <${item.name}>`);
    const map = childMap(item, ["forwardingType", "forwardStatus", "forwardDN"]);
    const dn = map.get("forwardDN");
    return {
      forwardingType: checkEnum(
        textOf(required(map, "forwardingType", item.name)),
        FORWARDING_TYPES,
        "forwardingType",
      ),
      forwardStatus: parseBool(textOf(required(map, "forwardStatus", item.name)), "forwardStatus"),
      ...(dn === undefined ? {} : { forwardDN: textOf(dn) }),
    };
  });
};

const fieldValue = (node: Node, kind: string): unknown => {
  switch (kind) {
    case "deviceIdentifier":
    case "deviceObject":
      return textOf(only(node, kind));
    case "conn":
      return connection(node);
    case "bool":
      return parseBool(textOf(node), node.name);
    case "state":
      return checkEnum(textOf(node), CONNECTION_STATES, node.name);
    case "fwdType":
      return checkEnum(textOf(node), FORWARDING_TYPES, node.name);
    case "snapshot":
      return snapshot(node);
    case "forwardingList":
      return forwardingList(node);
    default:
      return textOf(node);
  }
};

const rootOf = (xml: string): Node => {
  const raw = parser.parse(xml) as Raw[];
  const nodes = raw.map(toNode).filter((node): node is Node => typeof node !== "string");
  if (nodes.length !== 1 || raw.length !== 1) throw malformed("not exactly one root element");
  return nodes[0] as Node;
};

const messageOf = (root: Node): CstaMessage => {
  for (const name of Object.keys(root.attributes)) {
    if (name !== "xmlns" && name !== "invokeID")
      throw malformed(`<${root.name}>: unexpected attribute ${name}`);
  }
  if (root.attributes.xmlns !== CSTA_NAMESPACE)
    throw malformed(`<${root.name}>: not in the ECMA-323 ed3 namespace`);
  const invoke =
    root.attributes.invokeID === undefined ? {} : { invokeId: checkInvokeId(root.attributes.invokeID) };
  if (root.name === "CSTAErrorCode") {
    const [error, ...rest] = root.children;
    if (error === undefined || rest.length > 0 || root.text !== "")
      throw malformed("<CSTAErrorCode>: not one error element");
    const category = checkEnum(
      error.name,
      CSTA_ERROR_CATEGORIES,
      "CSTAErrorCode category",
    ) as CstaErrorCategory;
    return { type: "CSTAErrorCode", ...invoke, category, value: textOf(error) };
  }
  const spec = (MESSAGE_SPECS as Record<string, Record<string, { kind: string; optional?: true }>>)[
    root.name
  ];
  if (spec === undefined || !Object.hasOwn(MESSAGE_SPECS, root.name))
    throw new CstaError(
      "operation",
      "objectNotKnown",
      `<${root.name}>: not a CSTA message this emulator knows`,
    );
  const map = childMap(root, Object.keys(spec));
  const fields: Record<string, unknown> = {};
  for (const [name, fieldSpec] of Object.entries(spec)) {
    const node = map.get(name);
    if (node === undefined) {
      if (!fieldSpec.optional) throw malformed(`<${root.name}>: <${name}> missing`);
      continue;
    }
    fields[name] = fieldValue(node, fieldSpec.kind);
  }
  return { type: root.name, ...invoke, ...fields } as CstaMessage;
};

/**
 * Parses one ECMA-323 message. Strict: well-formed XML, at most MAX_CSTA_BYTES, no DOCTYPE, the
 * ed3 namespace, only the elements the message's schema has. Throws CstaError and nothing else.
 */
export const parseCsta = (xml: unknown): CstaMessage => {
  if (typeof xml !== "string") throw malformed("CSTA body is not text");
  if (Buffer.byteLength(xml, "utf8") > MAX_CSTA_BYTES)
    throw new CstaError(
      "systemResourceAvailability",
      "resourceBusy",
      `CSTA body larger than ${MAX_CSTA_BYTES} bytes`,
    );
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw malformed("DOCTYPE and entity declarations are refused");
  try {
    const valid = XMLValidator.validate(xml);
    if (valid !== true) throw malformed(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
    return messageOf(rootOf(xml));
  } catch (error) {
    if (error instanceof CstaError) throw error;
    throw malformed(`not parsable: ${error instanceof Error ? error.message : String(error)}`);
  }
};
