import { describe, expect, it } from "vitest";
import { parseMockOsbizArgs } from "../../../src/cli/mock-osbiz-command.js";
import { mockRtpPorts, scenarioPbxPlan } from "../../../src/composition/index.js";
import { parseScenario, ScenarioCatalog } from "../../../src/scenarios/index.js";

const catalog = new ScenarioCatalog();

describe("the PBX of a scenario (--mock-osbiz, mock-osbiz --scenario)", () => {
  it("takes the seed's first tenant with a system, and the pbx: options and actions", () => {
    expect(scenarioPbxPlan(catalog.load("rtp-channels-exhausted"))).toEqual({
      tenant: "Acme",
      apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
      options: {
        systemId: "osbiz-mock",
        name: "OSBiz Acme",
        model: "X3",
        rtpChannels: { total: 60, busy: 40 },
      },
      actions: [{ occupyRtpChannels: { n: 20, kind: "device-at-home" } }],
    });
    expect(scenarioPbxPlan(catalog.load("no-licence"))?.options.users).toEqual([
      { callno: "2131", firstName: "Al", lastName: "Ace", emailAddress: "al@acme.test", licence: "none" },
    ]);
  });

  it("uses pbx.apiKey over the seed's (a PBX with a stale key), and has nothing without a seeded system", () => {
    expect(scenarioPbxPlan(catalog.load("api-key-regenerated"))?.apiKey).toBe(
      "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
    );
    const bare = parseScenario(
      'name: bare\ndescription: d\nsymptom: s\ncause: c\nexpect: { outcome: o }\nrun: ["x"]\n',
      "bare.yaml",
      "bare",
    );
    expect(scenarioPbxPlan(bare)).toBeUndefined();
  });

  it("gives the embedded mock the RTP block above the emulator's, capped at 1000 ports and 65535", () => {
    expect(mockRtpPorts({ min: 20000, max: 20999 })).toEqual({ min: 21000, max: 21999 });
    expect(mockRtpPorts({ min: 52600, max: 52699 })).toEqual({ min: 52700, max: 52799 });
    expect(mockRtpPorts({ min: 60000, max: 65000 })).toEqual({ min: 65001, max: 65535 });
  });
});

describe("mock-osbiz --scenario", () => {
  const URL = ["--url", "https://127.0.0.1:8443"];

  it("takes the key, system, pbx: options and actions from the scenario; flags given win", () => {
    expect(parseMockOsbizArgs([...URL, "--scenario", "rtp-channels-exhausted"])).toMatchObject({
      apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
      systemId: "osbiz-mock",
      rtpChannels: { total: 60, busy: 40 },
      actions: [{ occupyRtpChannels: { n: 20, kind: "device-at-home" } }],
    });
    expect(
      parseMockOsbizArgs([
        ...URL,
        "--scenario",
        "no-licence",
        "--api-key",
        "other-key-1234",
        "--user",
        "2131",
      ]),
    ).toMatchObject({ apiKey: "other-key-1234", users: [{ callno: "2131" }] });
  });

  it("still wants an API key without a scenario, and names an unknown scenario", () => {
    expect(() => parseMockOsbizArgs(URL)).toThrow(/--api-key is required/);
    expect(() => parseMockOsbizArgs([...URL, "--scenario", "no-such-scenario"])).toThrow(
      /no scenario "no-such-scenario"/,
    );
  });
});
