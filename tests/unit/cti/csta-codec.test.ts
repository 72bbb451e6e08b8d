import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildCsta,
  CONNECTION_STATES,
  CSTA_ERROR_CATEGORIES,
  CstaError,
  type CstaMessage,
  FORWARDING_TYPES,
  MAX_CSTA_BYTES,
  MESSAGE_SPECS,
  parseCsta,
} from "../../../src/cti/index.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/csta");
const NS = 'xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3"';

const cstaErrorOf = (xml: unknown): CstaError => {
  try {
    parseCsta(xml);
  } catch (error) {
    if (error instanceof CstaError) return error;
    throw error;
  }
  throw new Error("parsed");
};

describe("CSTA codec: conformance fixtures (tests/fixtures/csta)", () => {
  const files = readdirSync(FIXTURES).filter((file) => file.endsWith(".xml"));
  it.each(files)("%s parses and builds back byte for byte", (file) => {
    const xml = readFileSync(join(FIXTURES, file), "utf8");
    expect(buildCsta(parseCsta(xml))).toBe(xml);
  });

  it("keeps device numbers as strings (leading zeros, no number parsing)", () => {
    const message = parseCsta(readFileSync(join(FIXTURES, "make-call.xml"), "utf8"));
    expect(message).toEqual({
      type: "MakeCall",
      invokeId: "3",
      callingDevice: "2131",
      calledDirectoryNumber: "004989700",
    });
  });

  it("reads a snapshot, a forwarding list and an error code into typed shapes", () => {
    expect(parseCsta(readFileSync(join(FIXTURES, "snapshot-device-response.xml"), "utf8"))).toEqual({
      type: "SnapshotDeviceResponse",
      invokeId: "2",
      crossRefIDorSnapshotData: [
        { connectionIdentifier: { callID: "7", deviceID: "2131" }, localConnectionState: "connected" },
      ],
    });
    expect(parseCsta(readFileSync(join(FIXTURES, "get-forwarding-response.xml"), "utf8"))).toEqual({
      type: "GetForwardingResponse",
      invokeId: "5",
      forwardingList: [
        { forwardingType: "forwardImmediate", forwardStatus: true, forwardDN: "2132" },
        { forwardingType: "forwardBusy", forwardStatus: false },
      ],
    });
    expect(parseCsta(readFileSync(join(FIXTURES, "csta-error-code.xml"), "utf8"))).toEqual({
      type: "CSTAErrorCode",
      invokeId: "6",
      category: "operation",
      value: "invalidDeviceID",
    });
  });

  it("accepts the DeviceID attributes real clients send on device elements, and ignores them", () => {
    const xml = `<?xml version="1.0"?>\n<MakeCall ${NS}>\n  <callingDevice typeOfNumber="deviceID">2131</callingDevice>\n  <calledDirectoryNumber>2132</calledDirectoryNumber>\n</MakeCall>`;
    expect(parseCsta(xml)).toEqual({
      type: "MakeCall",
      callingDevice: "2131",
      calledDirectoryNumber: "2132",
    });
    expect(cstaErrorOf(xml.replace("typeOfNumber", "onclick")).value).toBe("generic");
  });

  it("reads the optional ringCount of a SetForwarding (a no-answer forward, as vendors send it)", () => {
    const xml = `<SetForwarding ${NS}><device>2131</device><forwardingType>forwardNoAns</forwardingType><activateForward>true</activateForward><forwardDN>2132</forwardDN><ringCount>4</ringCount></SetForwarding>`;
    expect(parseCsta(xml)).toEqual({
      type: "SetForwarding",
      device: "2131",
      forwardingType: "forwardNoAns",
      activateForward: true,
      forwardDN: "2132",
      ringCount: "4",
    });
  });

  it("accepts whitespace between elements and an absent XML declaration", () => {
    const xml = `<MonitorStart ${NS}>\n  <monitorObject>\n    <deviceObject>2131</deviceObject>\n  </monitorObject>\n</MonitorStart>\n`;
    expect(parseCsta(xml)).toEqual({ type: "MonitorStart", monitorObject: "2131" });
  });
});

describe("CSTA codec: what it refuses, always as CstaError", () => {
  it.each([
    ["an unknown message", `<FlyToTheMoon ${NS}/>`, "objectNotKnown"],
    [
      "an unknown element",
      `<MonitorStop ${NS}><monitorCrossRefID>1</monitorCrossRefID><x>1</x></MonitorStop>`,
      "generic",
    ],
    ["a missing element", `<MakeCall ${NS}><callingDevice>2131</callingDevice></MakeCall>`, "generic"],
    [
      "a repeated element",
      `<MonitorStop ${NS}><monitorCrossRefID>1</monitorCrossRefID><monitorCrossRefID>2</monitorCrossRefID></MonitorStop>`,
      "generic",
    ],
    [
      "the wrong namespace",
      `<MonitorStop xmlns="urn:other"><monitorCrossRefID>1</monitorCrossRefID></MonitorStop>`,
      "generic",
    ],
    [
      "a bad boolean",
      `<SetDoNotDisturb ${NS}><device>1</device><doNotDisturbOn>yes</doNotDisturbOn></SetDoNotDisturb>`,
      "generic",
    ],
    ["not XML", "hello <", "generic"],
    ["two roots", `<MonitorStopResponse ${NS}/><MonitorStopResponse ${NS}/>`, "generic"],
    [
      "an entity reference in a value",
      `<MonitorStop ${NS}><monitorCrossRefID>&amp;</monitorCrossRefID></MonitorStop>`,
      "generic",
    ],
  ])("%s", (_what, xml, value) => {
    expect(cstaErrorOf(xml).value).toBe(value);
  });

  it("refuses a DOCTYPE (no entity expansion, XXE-safe)", () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><MonitorStop ${NS}><monitorCrossRefID>&x;</monitorCrossRefID></MonitorStop>`;
    expect(cstaErrorOf(xxe).message).toMatch(/DOCTYPE/);
  });

  it("refuses a body over the size limit", () => {
    const big = `<MonitorStop ${NS}><monitorCrossRefID>1</monitorCrossRefID><!--${"x".repeat(MAX_CSTA_BYTES)}--></MonitorStop>`;
    expect(cstaErrorOf(big).category).toBe("systemResourceAvailability");
  });

  it("builder refuses values that are not CSTA values", () => {
    expect(() => buildCsta({ type: "MonitorStop", monitorCrossRefID: "<x>" })).toThrow(CstaError);
    expect(() => buildCsta({ type: "MonitorStop", monitorCrossRefID: "1", invokeId: "a b" })).toThrow(
      CstaError,
    );
  });
});

// Arbitrary well-typed messages, drawn from the codec's own table.
const text = fc.stringMatching(/^[A-Za-z0-9+*#@._:;=/-]{1,20}$/);
const conn = fc.record({ callID: text, deviceID: text });
const kindArbitrary = (kind: string): fc.Arbitrary<unknown> => {
  switch (kind) {
    case "conn":
      return conn;
    case "bool":
      return fc.boolean();
    case "state":
      return fc.constantFrom(...CONNECTION_STATES);
    case "fwdType":
      return fc.constantFrom(...FORWARDING_TYPES);
    case "snapshot":
      return fc.array(
        fc.record({
          connectionIdentifier: conn,
          localConnectionState: fc.constantFrom(...CONNECTION_STATES),
        }),
        { maxLength: 3 },
      );
    case "forwardingList":
      return fc.array(
        fc.record(
          {
            forwardingType: fc.constantFrom(...FORWARDING_TYPES),
            forwardStatus: fc.boolean(),
            forwardDN: text,
          },
          { requiredKeys: ["forwardingType", "forwardStatus"] },
        ),
        { maxLength: 3 },
      );
    default:
      return text;
  }
};
const specMessages = Object.entries(MESSAGE_SPECS).map(([type, spec]) => {
  const fields = spec as Record<string, { kind: string; optional?: true }>;
  const arbitraries = Object.fromEntries(
    Object.entries(fields).map(([name, field]) => [name, kindArbitrary(field.kind)]),
  );
  const requiredKeys = Object.entries(fields)
    .filter(([, field]) => !field.optional)
    .map(([name]) => name);
  return fc
    .tuple(
      fc.record(arbitraries, { requiredKeys }),
      fc.option(fc.stringMatching(/^[0-9]{1,6}$/), { nil: undefined }),
    )
    .map(
      ([values, invokeId]) =>
        ({ type, ...(invokeId === undefined ? {} : { invokeId }), ...values }) as unknown as CstaMessage,
    );
});
const errorMessage = fc
  .record({ category: fc.constantFrom(...CSTA_ERROR_CATEGORIES), value: text })
  .map((values) => ({ type: "CSTAErrorCode", ...values }) as CstaMessage);
const anyMessage = fc.oneof(...specMessages, errorMessage);

describe("CSTA codec: properties", () => {
  it("parse(build(x)) equals x for every message of the table", () => {
    fc.assert(
      fc.property(anyMessage, (message) => {
        expect(parseCsta(buildCsta(message))).toEqual(message);
      }),
      { numRuns: 500 },
    );
  });

  const neverAnythingButCstaError = (input: string): void => {
    try {
      parseCsta(input);
    } catch (error) {
      if (!(error instanceof CstaError)) throw error;
    }
  };

  it("arbitrary input never throws anything but CstaError", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), neverAnythingButCstaError), { numRuns: 500 });
  });

  it("mutated valid messages never throw anything but CstaError", () => {
    const mutated = fc
      .tuple(anyMessage.map(buildCsta), fc.nat(), fc.nat({ max: 20 }), fc.string({ maxLength: 8 }))
      .map(([xml, at, cut, insert]) => {
        const start = at % (xml.length + 1);
        return xml.slice(0, start) + insert + xml.slice(start + cut);
      });
    fc.assert(fc.property(mutated, neverAnythingButCstaError), { numRuns: 1000 });
  });
});
