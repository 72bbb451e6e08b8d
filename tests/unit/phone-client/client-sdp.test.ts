import { describe, expect, it } from "vitest";
import {
  answerDirection,
  CLIENT_CODECS,
  ClientSdpError,
  chooseCodec,
  effectiveDirection,
  parseRemoteAudio,
  unacceptable,
  writeSdp,
} from "../../../src/phone-client/client-sdp.js";

const OFFER = [
  "v=0",
  "o=pbx 42 7 IN IP4 192.0.2.10",
  "s=call",
  "c=IN IP4 192.0.2.10",
  "t=0 0",
  "a=sendrecv",
  "m=video 4000 RTP/AVP 96",
  "c=IN IP4 192.0.2.99",
  "a=rtpmap:96 H264/90000",
  "a=sendonly",
  "m=audio 30000 RTP/AVP 9 0 8 96",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:96 telephone-event/8000",
  "a=fmtp:96 0-16",
  "",
].join("\r\n");

describe("parseRemoteAudio", () => {
  it("reads the audio stream, its formats, telephone-event and the session-level address and direction", () => {
    expect(parseRemoteAudio(OFFER)).toEqual({
      address: "192.0.2.10",
      port: 30000,
      protocol: "RTP/AVP",
      formats: [
        { payloadType: 9, encoding: "G722" },
        { payloadType: 0, encoding: "PCMU" },
        { payloadType: 8, encoding: "PCMA" },
        { payloadType: 96, encoding: "TELEPHONE-EVENT" },
      ],
      telephoneEvent: 96,
      direction: "sendrecv",
    });
  });

  it("prefers media-level c= and direction, and accepts LF line ends", () => {
    const sdp = "v=0\nc=IN IP4 192.0.2.1\nm=audio 5004 RTP/AVP 0\nc=IN IP4 192.0.2.2\na=recvonly\n";
    expect(parseRemoteAudio(sdp)).toMatchObject({
      address: "192.0.2.2",
      direction: "recvonly",
      telephoneEvent: null,
    });
  });

  it("throws ClientSdpError without an audio stream or an address", () => {
    expect(() => parseRemoteAudio("v=0\r\nm=video 1 RTP/AVP 96\r\n")).toThrow(ClientSdpError);
    expect(() => parseRemoteAudio("v=0\r\nm=audio 1 RTP/AVP 0\r\n")).toThrow(/connection address/);
  });
});

describe("offer/answer choices (RFC 3264)", () => {
  it("takes the first offered codec it supports, with the offerer's payload type", () => {
    expect(chooseCodec(parseRemoteAudio(OFFER))).toEqual({ name: "PCMU", payloadType: 0 });
    const dynamic = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 5004 RTP/AVP 97\r\na=rtpmap:97 pcma/8000\r\n";
    expect(chooseCodec(parseRemoteAudio(dynamic))).toEqual({ name: "PCMA", payloadType: 97 });
  });

  it.each([
    ["sendrecv", false, "sendrecv"],
    ["sendonly", false, "recvonly"],
    ["recvonly", false, "sendonly"],
    ["inactive", false, "inactive"],
    ["sendrecv", true, "sendonly"],
    ["sendonly", true, "inactive"],
  ] as const)("answers %s (holding: %s) with %s", (offered, hold, expected) => {
    expect(answerDirection(offered, hold)).toBe(expected);
  });

  it("derives what we may do from our offer and the remote answer", () => {
    expect(effectiveDirection("sendonly", "recvonly")).toBe("sendonly");
    expect(effectiveDirection("sendrecv", "inactive")).toBe("inactive");
    expect(effectiveDirection("sendrecv", "sendonly")).toBe("recvonly");
  });

  it.each([
    ["m=audio 0 RTP/AVP 0", "port 0"],
    ["m=audio 5004 RTP/SAVP 0", "RTP/SAVP"],
    ["m=audio 5004 RTP/AVP 9", "no common codec"],
  ])("refuses %s", (mLine, why) => {
    expect(unacceptable(parseRemoteAudio(`v=0\r\nc=IN IP4 192.0.2.1\r\n${mLine}\r\n`))).toContain(why);
  });
});

describe("writeSdp", () => {
  it("writes an offer the parser reads back", () => {
    const text = writeSdp({
      address: "127.0.0.1",
      port: 40000,
      sessionId: "123",
      version: 2,
      codecs: CLIENT_CODECS,
      telephoneEvent: 101,
      direction: "sendonly",
    });
    expect(text).toContain("o=- 123 2 IN IP4 127.0.0.1\r\n");
    expect(text).toContain("m=audio 40000 RTP/AVP 8 0 101\r\n");
    expect(text).toContain("a=fmtp:101 0-15\r\n");
    expect(text.endsWith("a=sendonly\r\n")).toBe(true);
    expect(parseRemoteAudio(text)).toMatchObject({ port: 40000, telephoneEvent: 101, direction: "sendonly" });
  });
});
