import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSdp, rtpMaps, SdpParseError } from "../../../src/media/index.js";

const crlf = (lines: string[]): string => `${lines.join("\r\n")}\r\n`;

/** An OpenScape Business style offer: G.711 A-law first, telephone-event, ptime, silence suppression off. */
const OSBIZ_OFFER = crlf([
  "v=0",
  "o=IPGateway 1684301825 1684301826 IN IP4 192.168.1.10",
  "s=SIP Call",
  "c=IN IP4 192.168.1.10",
  "t=0 0",
  "m=audio 29100 RTP/AVP 8 0 9 18 101",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:18 G729/8000",
  "a=fmtp:18 annexb=no",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-15",
  "a=ptime:20",
  "a=silenceSupp:off - - - -",
  "a=sendrecv",
]);

/** After RFC 4317 §2.1 (Audio and Video 1): host names, an empty s=, two streams. */
const RFC4317_AUDIO_VIDEO = crlf([
  "v=0",
  "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com",
  "s=",
  "c=IN IP4 host.atlanta.example.com",
  "t=0 0",
  "m=audio 49170 RTP/AVP 0 8 97",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:97 iLBC/8000",
  "m=video 51372 RTP/AVP 31 32",
  "a=rtpmap:31 H261/90000",
  "a=rtpmap:32 MPV/90000",
]);

describe("parseSdp", () => {
  it("reads an OSBiz-like offer", () => {
    const sdp = parseSdp(OSBIZ_OFFER);
    expect(sdp.origin).toEqual({
      username: "IPGateway",
      sessionId: "1684301825",
      sessionVersion: "1684301826",
      netType: "IN",
      addrType: "IP4",
      address: "192.168.1.10",
    });
    expect(sdp.sessionName).toBe("SIP Call");
    expect(sdp.connection).toEqual({ netType: "IN", addrType: "IP4", address: "192.168.1.10" });
    expect(sdp.media).toHaveLength(1);
    const audio = sdp.media[0]!;
    expect(audio).toMatchObject({ type: "audio", port: 29100, portCount: 1, protocol: "RTP/AVP" });
    expect(audio.formats).toEqual(["8", "0", "9", "18", "101"]);
    expect(audio.attributes).toContainEqual({ name: "sendrecv", value: null });
    expect(audio.attributes).toContainEqual({ name: "silenceSupp", value: "off - - - -" });
    expect(rtpMaps(audio).get("101")).toEqual({ encoding: "telephone-event", clockRate: 8000, channels: 1 });
  });

  it("reads the RFC 4317 audio and video offer", () => {
    const sdp = parseSdp(RFC4317_AUDIO_VIDEO);
    expect(sdp.sessionName).toBe("");
    expect(sdp.connection?.address).toBe("host.atlanta.example.com");
    expect(sdp.media.map((m) => [m.type, m.port, m.formats.join(" ")])).toEqual([
      ["audio", 49170, "0 8 97"],
      ["video", 51372, "31 32"],
    ]);
    expect(rtpMaps(sdp.media[1]!).get("32")).toEqual({ encoding: "MPV", clockRate: 90000, channels: 1 });
  });

  it("accepts LF line ends, media-level c=, port counts, TTL suffixes and unknown line types", () => {
    const sdp = parseSdp(
      [
        "v=0",
        "o=- 1 2 IN IP4 10.0.0.1",
        "s=-",
        "i=session info",
        "b=AS:64",
        "t=0 0",
        "m=audio 5004/2 RTP/AVP 0",
        "c=IN IP4 224.2.1.1/127",
        "a=recvonly",
        "",
      ].join("\n"),
    );
    expect(sdp.connection).toBeNull();
    expect(sdp.media[0]).toMatchObject({ port: 5004, portCount: 2, connection: { address: "224.2.1.1" } });
    expect(sdp.media[0]!.attributes).toEqual([{ name: "recvonly", value: null }]);
  });

  it("parses the SDP bodies of the RFC 4475 torture messages", () => {
    const dir = "tests/fixtures/conformance/rfc4475";
    const files = [
      "sdp01",
      "esc01",
      "escruri",
      "inv2543",
      "lwsstart",
      "multi01",
      "unreason",
      "wsinv",
      "bcast",
    ];
    for (const file of files) {
      const message = readFileSync(`${dir}/${file}.dat`, "latin1");
      const body = message.slice(message.indexOf("\r\n\r\n") + 4);
      const sdp = parseSdp(body);
      expect(sdp.media[0], file).toMatchObject({ type: "audio", port: 49217, protocol: "RTP/AVP" });
      expect(sdp.media[0]!.formats[0], file).toBe("0");
    }
  });

  it.each([
    ["an empty body", "", /must start with "v=0"/],
    ["another version", "v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\n", /must start with "v=0"/],
    ["a SIP message", "INVITE sip:a@b SIP/2.0\r\n", /must start with "v=0"/],
    ["a line without type", "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nhello\r\n", /line 3 is not <type>=<value>/],
    ["no o= line", "v=0\r\ns=-\r\n", /no o= line/],
    ["a short o= line", "v=0\r\no=- 1 IN IP4 1.2.3.4\r\n", /o= needs 6 fields/],
    ["a non-numeric session id", "v=0\r\no=- abc 1 IN IP4 1.2.3.4\r\n", /numeric/],
    ["a bad c= line", "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4\r\n", /c= needs 3 fields/],
    ["an m= line without format", "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 5000 RTP/AVP\r\n", /m= needs/],
    ["a port above 65535", "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 70000 RTP/AVP 0\r\n", /bad m= port/],
    ["a second v= line", "v=0\r\nv=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n", /second v= line/],
  ])("rejects %s", (_, text, message) => {
    expect(() => parseSdp(text)).toThrow(SdpParseError);
    expect(() => parseSdp(text)).toThrow(message);
  });
});
