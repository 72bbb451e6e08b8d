import { describe, expect, it } from "vitest";
import { parseSdp } from "../../../src/media/index.js";
import { negotiateAnswer, negotiateOffer, ourDirection } from "../../../src/media/sdp-negotiation.js";

function offer(media: string[], session: string[] = []): ReturnType<typeof negotiateOffer> {
  const lines = [
    "v=0",
    "o=- 1 1 IN IP4 192.0.2.1",
    "s=-",
    "c=IN IP4 192.0.2.1",
    "t=0 0",
    ...session,
    ...media,
  ];
  return negotiateOffer(parseSdp(lines.join("\r\n")));
}

describe("negotiateOffer", () => {
  it("takes the first supported codec of the offer and its telephone-event", () => {
    const result = offer(["m=audio 4000 RTP/AVP 18 8 0 101", "a=rtpmap:101 telephone-event/8000"]);
    expect(result).toMatchObject({
      ok: true,
      index: 0,
      codec: { name: "PCMA", payloadType: 8, clockRate: 8000, telephoneEvent: 101 },
      peerDirection: "sendrecv",
      remote: { address: "192.0.2.1", port: 4000 },
    });
  });

  it("recognises G.722 and dynamic payload types by rtpmap", () => {
    expect(offer(["m=audio 4000 RTP/AVP 9 0"])).toMatchObject({ codec: { name: "G722", payloadType: 9 } });
    const dynamic = offer([
      "m=audio 4000 RTP/AVP 96 97",
      "a=rtpmap:96 opus/48000/2",
      "a=rtpmap:97 PCMU/8000",
    ]);
    expect(dynamic).toMatchObject({ codec: { name: "PCMU", payloadType: 97, telephoneEvent: null } });
  });

  it("ignores telephone-event at another clock rate", () => {
    const result = offer(["m=audio 4000 RTP/AVP 0 100", "a=rtpmap:100 telephone-event/48000"]);
    expect(result).toMatchObject({ codec: { telephoneEvent: null } });
  });

  it("takes the direction from the media, then the session level", () => {
    expect(offer(["m=audio 4000 RTP/AVP 0", "a=sendonly"])).toMatchObject({ peerDirection: "sendonly" });
    expect(offer(["m=audio 4000 RTP/AVP 0"], ["a=inactive"])).toMatchObject({ peerDirection: "inactive" });
    expect(offer(["m=audio 4000 RTP/AVP 0", "a=recvonly"], ["a=inactive"])).toMatchObject({
      peerDirection: "recvonly",
    });
  });

  it("treats c=0.0.0.0 as a peer that receives nothing (RFC 3264 §8.4)", () => {
    const lines = [
      "v=0",
      "o=- 1 2 IN IP4 192.0.2.1",
      "s=-",
      "c=IN IP4 0.0.0.0",
      "t=0 0",
      "m=audio 4000 RTP/AVP 0",
    ];
    expect(negotiateOffer(parseSdp(lines.join("\r\n")))).toMatchObject({
      peerDirection: "sendonly",
      remote: null,
    });
  });

  it("refuses an SRTP-only offer with 488 naming SRTP", () => {
    const result = offer([
      "m=audio 4000 RTP/SAVP 0",
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
    ]);
    expect(result).toEqual({
      ok: false,
      status: 488,
      reason: "Not Acceptable Here: SRTP (RTP/SAVP) offered; the connector is RTP only",
    });
    expect(offer(["m=audio 4000 UDP/TLS/RTP/SAVPF 111"])).toMatchObject({ status: 488, reason: /SRTP/ });
  });

  it("answers the RTP/AVP stream of an SAVP + AVP dual offer", () => {
    const result = offer([
      "m=audio 4000 RTP/SAVP 0",
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
      "m=audio 4002 RTP/AVP 0",
    ]);
    expect(result).toMatchObject({ ok: true, index: 1, remote: { port: 4002 } });
  });

  it("answers an RTP/AVP stream with a=crypto as plain RTP", () => {
    const result = offer(["m=audio 4000 RTP/AVP 0", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc"]);
    expect(result).toMatchObject({ ok: true, codec: { name: "PCMU" } });
  });

  it("refuses offers without audio, with disabled audio or another profile", () => {
    expect(offer(["m=video 5000 RTP/AVP 31"])).toMatchObject({ status: 488, reason: /no audio stream/ });
    expect(offer(["m=audio 0 RTP/AVP 0"])).toMatchObject({ status: 488, reason: /disabled \(port 0\)/ });
    expect(offer(["m=audio 4000 RTP/AVPF 0"])).toMatchObject({
      status: 488,
      reason: /no RTP\/AVP audio stream/,
    });
  });

  it("refuses an offer without a common codec, naming what was offered", () => {
    const result = offer(["m=audio 4000 RTP/AVP 18 96", "a=rtpmap:18 G729/8000", "a=rtpmap:96 opus/48000/2"]);
    expect(result).toEqual({
      ok: false,
      status: 488,
      reason:
        "Not Acceptable Here: no common codec (offered G729/8000, opus/48000; supported PCMU/8000, PCMA/8000, G722/8000)",
    });
  });

  it("needs a connection address", () => {
    const lines = ["v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0", "m=audio 4000 RTP/AVP 0"];
    expect(negotiateOffer(parseSdp(lines.join("\r\n")))).toMatchObject({ status: 400, reason: /no c= line/ });
  });
});

describe("negotiateAnswer", () => {
  const answer = (media: string[]) =>
    negotiateAnswer(
      parseSdp(
        ["v=0", "o=- 5 5 IN IP4 192.0.2.9", "s=-", "c=IN IP4 192.0.2.9", "t=0 0", ...media].join("\n"),
      ),
    );

  it("reads the chosen codec, telephone-event and the peer's direction", () => {
    const result = answer(["m=audio 6000 RTP/AVP 8 101", "a=rtpmap:101 telephone-event/8000", "a=recvonly"]);
    expect(result).toMatchObject({
      ok: true,
      codec: { name: "PCMA", telephoneEvent: 101 },
      peerDirection: "recvonly",
      remote: { address: "192.0.2.9", port: 6000 },
    });
  });

  it("fails for a rejected stream, SRTP, another profile, no common codec or no audio", () => {
    expect(answer(["m=audio 0 RTP/AVP 0"])).toMatchObject({ status: 488, reason: /rejected/ });
    expect(answer(["m=audio 6000 RTP/SAVP 0"])).toMatchObject({ status: 488, reason: /SRTP/ });
    expect(answer(["m=audio 6000 RTP/AVPF 0"])).toMatchObject({ status: 488, reason: /RTP\/AVPF/ });
    expect(answer(["m=audio 6000 RTP/AVP 18"])).toMatchObject({ status: 488, reason: /no common codec/ });
    expect(answer(["m=video 6000 RTP/AVP 31"])).toMatchObject({ status: 400 });
    expect(answer([])).toMatchObject({ status: 400 });
  });
});

describe("ourDirection", () => {
  it("mirrors the peer (RFC 3264 §6.1) within what we asked for", () => {
    expect(ourDirection("sendrecv", "sendrecv")).toBe("sendrecv");
    expect(ourDirection("sendonly", "sendrecv")).toBe("recvonly");
    expect(ourDirection("recvonly", "sendrecv")).toBe("sendonly");
    expect(ourDirection("inactive", "sendrecv")).toBe("inactive");
    expect(ourDirection("sendrecv", "sendonly")).toBe("sendonly");
    expect(ourDirection("recvonly", "sendonly")).toBe("sendonly");
    expect(ourDirection("sendrecv", "inactive")).toBe("inactive");
  });
});

describe("RTCP address and mux (RFC 3605, RFC 5761)", () => {
  it("sends RTCP to the RTP port + 1 at the stream's address by default", () => {
    expect(offer(["m=audio 4000 RTP/AVP 0"])).toMatchObject({
      rtcp: { mux: false, remote: { address: "192.0.2.1", port: 4001 } },
    });
  });

  it("takes the port, and the address if given, of a=rtcp:", () => {
    expect(offer(["m=audio 4000 RTP/AVP 0", "a=rtcp:5000"])).toMatchObject({
      rtcp: { remote: { address: "192.0.2.1", port: 5000 } },
    });
    expect(offer(["m=audio 4000 RTP/AVP 0", "a=rtcp:5001 IN IP4 198.51.100.7"])).toMatchObject({
      rtcp: { remote: { address: "198.51.100.7", port: 5001 } },
    });
  });

  it("falls back to port + 1 for a malformed a=rtcp:", () => {
    for (const bad of ["a=rtcp:", "a=rtcp:99999", "a=rtcp:0", "a=rtcp:port"]) {
      expect(offer(["m=audio 4000 RTP/AVP 0", bad])).toMatchObject({ rtcp: { remote: { port: 4001 } } });
    }
  });

  it("notes a=rtcp-mux, and has no RTCP address for the 0.0.0.0 hold", () => {
    expect(offer(["m=audio 4000 RTP/AVP 0", "a=rtcp-mux"])).toMatchObject({ rtcp: { mux: true } });
    expect(offer(["m=audio 4000 RTP/AVP 0", "c=IN IP4 0.0.0.0"])).toMatchObject({ rtcp: { remote: null } });
  });
});
