import { describe, expect, it } from "vitest";
import { parseMockOsbizArgs } from "../../../src/cli/mock-osbiz-command.js";
import { writeTemp } from "../../support/emulator.js";

const required = ["--url", "https://127.0.0.1:8443", "--api-key", "KEY"];

describe("mock-osbiz command line", () => {
  it("maps every flag onto the library options", () => {
    const ca = writeTemp("ca.pem", "PEM");
    const options = parseMockOsbizArgs([
      ...required,
      "--ca",
      ca,
      "--system-id",
      "osbiz-7",
      "--name",
      "Lab",
      "--simultaneous-calls",
      "8",
      "--numbering",
      "49/2302/667",
      "--behaviour",
      "no-answer",
      "--ring-ms",
      "250",
      "--media",
      "echo",
      "--rtp-bind",
      "127.0.0.1",
      "--rtp-ports",
      "40000-40099",
      "--expires",
      "120",
      "--no-refer",
      "--no-answer-ms",
      "5000",
    ]);
    expect(options).toEqual({
      url: "https://127.0.0.1:8443",
      apiKey: "KEY",
      ca: Buffer.from("PEM"),
      systemId: "osbiz-7",
      name: "Lab",
      simultaneousCalls: 8,
      numbering: { schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" },
      behaviour: { mode: "no-answer", ringMs: 250, media: "echo" },
      rtp: { bind: "127.0.0.1", portRange: { min: 40000, max: 40099 } },
      expires: 120,
      refer: false,
      noAnswerMs: 5000,
    });
  });

  it("asks for --url and --api-key, and checks values", () => {
    expect(parseMockOsbizArgs(["-h"])).toBe("help");
    expect(() => parseMockOsbizArgs(["--api-key", "K"])).toThrow(/--url is required/);
    expect(() => parseMockOsbizArgs(["--url", "https://x"])).toThrow(/--api-key is required/);
    expect(() => parseMockOsbizArgs([...required, "--behaviour", "hold"])).toThrow(/--behaviour "hold"/);
    expect(() => parseMockOsbizArgs([...required, "--ring-ms", "1s"])).toThrow(/--ring-ms "1s"/);
    expect(() => parseMockOsbizArgs([...required, "--rtp-ports", "40000"])).toThrow(/min-max/);
    expect(() => parseMockOsbizArgs([...required, "--bogus"])).toThrow(/bogus/);
  });

  it("maps the PBX flags: model, uplink, RTP channels, users and the Expert Mode drift", () => {
    const options = parseMockOsbizArgs([
      ...required,
      "--model",
      "S",
      "--uplink-kbps",
      "2048",
      "--rtp-channels",
      "100",
      "--rtp-busy",
      "40",
      "--user",
      "2131:licence=none,trusted=false",
      "--user",
      "2132:route=off",
      "--user",
      "2133",
      "--expert-mode",
      "port=5999,transport=tcp",
    ]);
    expect(options).toMatchObject({
      model: "S",
      uplinkKbps: 2048,
      rtpChannels: { total: 100, busy: 40 },
      users: [
        { callno: "2131", licence: "none", trustedExternal: false },
        { callno: "2132", unifyPhoneRoute: false },
        { callno: "2133" },
      ],
      expertMode: { registrarPort: 5999, transport: "tcp" },
    });
    expect(parseMockOsbizArgs([...required, "--rtp-busy", "3"])).toMatchObject({ rtpChannels: { busy: 3 } });
    expect(() => parseMockOsbizArgs([...required, "--model", "X2"])).toThrow(
      /--model "X2": use X1, X3, X5, X8, S/,
    );
    expect(() => parseMockOsbizArgs([...required, "--user", "al"])).toThrow(/--user: user "al"/);
    expect(() => parseMockOsbizArgs([...required, "--user", "2131:licence=maybe"])).toThrow(
      /--user: licence "maybe"/,
    );
    expect(() => parseMockOsbizArgs([...required, "--expert-mode", "transport=udp"])).toThrow(
      /--expert-mode: expertMode.transport "udp"/,
    );
    expect(() => parseMockOsbizArgs([...required, "--uplink-kbps", "2M"])).toThrow(/--uplink-kbps "2M"/);
  });
});
