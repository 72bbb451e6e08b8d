import { describe, expect, it } from "vitest";
import { commonCodec, legKindOf, offeredCodecs, restrictCodecs } from "../../../src/b2bua/anchor-sdp.js";
import { parseSdp } from "../../../src/media/index.js";

const sdp = (m: string, ...attributes: string[]) =>
  ["v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", m, ...attributes, ""].join(
    "\r\n",
  );

/** What Chromium offers: Opus first, G.722, G.711, telephone-event at 48 and 8 kHz, with rtcp-fb. */
const BROWSER = sdp(
  "m=audio 9 UDP/TLS/RTP/SAVPF 111 9 0 8 110 126",
  "a=rtpmap:111 opus/48000/2",
  "a=rtcp-fb:111 transport-cc",
  "a=fmtp:111 minptime=10;useinbandfec=1",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:110 telephone-event/48000",
  "a=rtpmap:126 telephone-event/8000",
  "a=sendrecv",
);

describe("anchor SDP helpers", () => {
  it("tells the leg kind from the first active audio stream's protocol", () => {
    expect(legKindOf(sdp("m=audio 4000 RTP/AVP 0"))).toBe("rtp");
    expect(legKindOf(BROWSER)).toBe("webrtc");
    expect(legKindOf(sdp("m=audio 4000 RTP/SAVP 0"))).toBeUndefined();
    expect(legKindOf(sdp("m=audio 0 RTP/AVP 0"))).toBeUndefined();
    expect(legKindOf("not sdp")).toBeUndefined();
  });

  it("lists our codecs in the offer's order, static payload types without rtpmap too", () => {
    expect(offeredCodecs(BROWSER)).toEqual(["G722", "PCMU", "PCMA"]);
    expect(offeredCodecs(sdp("m=audio 4000 RTP/AVP 8 18 0"))).toEqual(["PCMA", "PCMU"]);
    expect(offeredCodecs(sdp("m=audio 4000 RTP/AVP 96", "a=rtpmap:96 PCMU/16000"))).toEqual([]);
  });

  it("picks the first codec of the preferred side that the other has", () => {
    expect(commonCodec(["PCMA", "PCMU"], ["G722", "PCMU", "PCMA"])).toBe("PCMA");
    expect(commonCodec(["G722"], ["PCMU", "PCMA"])).toBeUndefined();
  });

  it("narrows a stream to the allowed codecs and telephone-event, dropping the others' attributes", () => {
    const narrowed = restrictCodecs(BROWSER, ["PCMU"]);
    const audio = parseSdp(narrowed).media[0]!;
    expect(audio.formats).toEqual(["0", "110", "126"]);
    expect(narrowed).not.toMatch(/opus|G722|PCMA|rtcp-fb:111|fmtp:111/);
    expect(narrowed).toMatch(/^a=sendrecv$/m);
    expect(narrowed.endsWith("\r\n")).toBe(true);
  });
});
