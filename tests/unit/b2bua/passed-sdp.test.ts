import { describe, expect, it } from "vitest";
import {
  holds,
  offeredDirection,
  passThroughProblem,
  rejectingAnswer,
} from "../../../src/b2bua/passed-sdp.js";

function sdp(media: string[], connection = "c=IN IP4 203.0.113.5"): string {
  return ["v=0", "o=- 1 1 IN IP4 203.0.113.5", "s=-", connection, "t=0 0", ...media, ""].join("\r\n");
}

describe("an SDP offer passed to a client unchanged", () => {
  it("goes through with an RTP audio stream", () => {
    expect(passThroughProblem(sdp(["m=audio 4000 RTP/AVP 8"]))).toBeUndefined();
    expect(passThroughProblem(sdp(["m=audio 4000 RTP/SAVP 8", "m=audio 4002 RTP/AVP 8"]))).toBeUndefined();
  });

  it("is refused without active audio, SRTP only, or unreadable", () => {
    expect(passThroughProblem(sdp(["m=audio 0 RTP/AVP 8", "m=video 4002 RTP/AVP 96"]))).toBe(
      "the offer has no active audio stream (m=audio)",
    );
    expect(passThroughProblem(sdp(["m=audio 4000 RTP/SAVP 8", "m=audio 4002 UDP/TLS/RTP/SAVPF 8"]))).toBe(
      "SRTP (RTP/SAVP, UDP/TLS/RTP/SAVPF) offered; the connector is RTP only",
    );
    expect(passThroughProblem("hello")).toMatch(/^the SDP offer cannot be read: /);
  });
});

describe("the direction an offerer declares (hold and retrieve, RFC 3264 §8.4)", () => {
  it("is the audio stream's attribute, else the session's, else sendrecv", () => {
    expect(offeredDirection(sdp(["m=audio 4000 RTP/AVP 8", "a=sendonly"]))).toBe("sendonly");
    expect(offeredDirection(sdp(["a=inactive", "m=audio 4000 RTP/AVP 8"]))).toBe("inactive");
    expect(offeredDirection(sdp(["m=audio 4000 RTP/AVP 8"]))).toBe("sendrecv");
    expect(offeredDirection(sdp(["m=video 4000 RTP/AVP 96"]))).toBeUndefined();
  });

  it("counts c=0.0.0.0 (RFC 2543 hold) as receiving nothing", () => {
    expect(offeredDirection(sdp(["m=audio 4000 RTP/AVP 8"], "c=IN IP4 0.0.0.0"))).toBe("sendonly");
    expect(offeredDirection(sdp(["m=audio 4000 RTP/AVP 8", "a=recvonly"], "c=IN IP4 0.0.0.0"))).toBe(
      "inactive",
    );
  });

  it("holds the other side when it only sends or does neither", () => {
    expect([holds("sendonly"), holds("inactive"), holds("sendrecv"), holds("recvonly")]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe("the answer that refuses an offer made in a 2xx (RFC 3261 §13.2.2.4)", () => {
  it("rejects every stream with port 0, keeping each one's type, protocol and a format", () => {
    const answer = rejectingAnswer(sdp(["m=audio 4000 RTP/AVP 8 0", "m=video 4002 RTP/AVP 96"]));
    expect(answer.split("\r\n").filter((l) => l.startsWith("m="))).toEqual([
      "m=audio 0 RTP/AVP 8",
      "m=video 0 RTP/AVP 96",
    ]);
    expect(answer.endsWith("\r\n")).toBe(true);
  });
});
