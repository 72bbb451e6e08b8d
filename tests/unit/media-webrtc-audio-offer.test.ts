import { describe, expect, it } from "vitest";
import { chooseCodec, narrowAudioOffer } from "../../src/media/webrtc/audio-offer.js";
import { WebRtcError } from "../../src/media/webrtc/webrtc-error.js";

/** The audio section of a Chromium offer (trimmed: one ICE/DTLS line each). */
const CHROMIUM_OFFER = [
  "v=0",
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
  "c=IN IP4 0.0.0.0",
  "a=ice-ufrag:abcd",
  "a=ice-pwd:abcdefghijklmnopqrstuvwx",
  "a=fingerprint:sha-256 AA:BB",
  "a=setup:actpass",
  "a=mid:0",
  "a=sendrecv",
  "a=rtcp-mux",
  "a=rtpmap:111 opus/48000/2",
  "a=rtcp-fb:111 transport-cc",
  "a=fmtp:111 minptime=10;useinbandfec=1",
  "a=rtpmap:63 red/48000/2",
  "a=fmtp:63 111/111",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:13 CN/8000",
  "a=rtpmap:110 telephone-event/48000",
  "a=rtpmap:126 telephone-event/8000",
  "",
].join("\r\n");

describe("narrowing a browser's audio offer to one pass-through codec", () => {
  it("keeps the first preferred codec and telephone-event/8000, and drops Opus, RED, CN and te/48000", () => {
    const { sdp, codec } = narrowAudioOffer(CHROMIUM_OFFER, ["PCMA", "PCMU"]);
    expect(codec).toEqual({ name: "PCMA", payloadType: 8, clockRate: 8000, telephoneEvent: 126 });
    expect(sdp).toMatch(/^m=audio 9 UDP\/TLS\/RTP\/SAVPF 8 126\r$/m);
    expect(sdp).not.toMatch(/opus|red\/|CN\/|telephone-event\/48000|rtcp-fb:111|fmtp:/);
    // Session and transport lines stay as they were.
    for (const kept of [
      "a=ice-ufrag:abcd",
      "a=fingerprint:sha-256 AA:BB",
      "a=setup:actpass",
      "a=rtpmap:8 PCMA/8000",
    ])
      expect(sdp).toContain(kept);
  });

  it("follows the caller's order, not the browser's (G.722 only when asked first)", () => {
    expect(narrowAudioOffer(CHROMIUM_OFFER, ["PCMU", "G722"]).codec.name).toBe("PCMU");
    expect(narrowAudioOffer(CHROMIUM_OFFER, ["G722", "PCMU"]).codec).toMatchObject({
      name: "G722",
      payloadType: 9,
    });
  });

  it("answers without telephone-event when the browser offers none at 8 kHz", () => {
    const offer = CHROMIUM_OFFER.replace(" 110 126", " 110").replace(
      "a=rtpmap:126 telephone-event/8000\r\n",
      "",
    );
    const { sdp, codec } = narrowAudioOffer(offer, ["PCMU"]);
    expect(codec.telephoneEvent).toBeNull();
    expect(sdp).toMatch(/^m=audio 9 UDP\/TLS\/RTP\/SAVPF 0\r$/m);
  });

  it("throws typed errors: not SDP → bad-sdp, two sections → bad-sdp, Opus only → no-common-codec", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(WebRtcError);
        return (e as WebRtcError).code;
      }
      return "no error";
    };
    expect(code(() => narrowAudioOffer("garbage", ["PCMU"]))).toBe("bad-sdp");
    expect(
      code(() => narrowAudioOffer(`${CHROMIUM_OFFER}m=video 9 UDP/TLS/RTP/SAVPF 96\r\n`, ["PCMU"])),
    ).toBe("bad-sdp");
    const opusOnly = CHROMIUM_OFFER.replace(" 111 63 9 0 8 13 110 126", " 111");
    expect(code(() => narrowAudioOffer(opusOnly, ["PCMU", "PCMA", "G722"]))).toBe("no-common-codec");
  });

  it("recognises a static payload type without an rtpmap line", () => {
    expect(chooseCodec(["0", "101"], new Map(), ["PCMA", "PCMU"])).toEqual({
      name: "PCMU",
      payloadType: 0,
      clockRate: 8000,
      telephoneEvent: null,
    });
    // A dynamic type named PCMU is PCMU; a static number remapped to something else is not.
    expect(chooseCodec(["0"], new Map([["0", { encoding: "opus", clockRate: 48000 }]]), ["PCMU"])).toBeNull();
  });
});
