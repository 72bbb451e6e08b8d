import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClientSdpError } from "../../../src/phone-client/client-sdp.js";
import { RtpEndpoint } from "../../../src/phone-client/rtp-endpoint.js";
import { RtpSessionDescriptionHandler } from "../../../src/phone-client/rtp-session-description-handler.js";
import { ControllableClock } from "../../../src/shared/clock.js";

let clock: ControllableClock;
let endpoint: RtpEndpoint;
let handler: RtpSessionDescriptionHandler;

beforeEach(async () => {
  clock = new ControllableClock({ frozen: true });
  endpoint = await RtpEndpoint.open("127.0.0.1", "echo", clock);
  handler = new RtpSessionDescriptionHandler(Promise.resolve(endpoint));
});

afterEach(() => {
  handler.close();
  clock.dispose();
});

function remote(formats: string, direction: string, protocol = "RTP/AVP"): string {
  const maps: Record<string, string> = { "0": "PCMU/8000", "8": "PCMA/8000", "96": "telephone-event/8000" };
  return [
    "v=0",
    "o=far 1 1 IN IP4 127.0.0.1",
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio 49170 ${protocol} ${formats}`,
    ...formats.split(" ").map((pt) => `a=rtpmap:${pt} ${maps[pt]}`),
    `a=${direction}`,
    "",
  ].join("\r\n");
}

describe("RtpSessionDescriptionHandler as offerer", () => {
  it("offers G.711 and telephone-event on its RTP port, then applies the answer", async () => {
    const offer = await handler.getDescription();
    expect(offer.contentType).toBe("application/sdp");
    expect(offer.body).toContain(`m=audio ${endpoint.port} RTP/AVP 8 0 101`);
    expect(offer.body).toContain("a=sendrecv");
    expect(handler.direction).toBe("inactive");
    await handler.setDescription(remote("0 96", "sendrecv"));
    expect(handler.direction).toBe("sendrecv");
    clock.advance(20);
    expect(endpoint.stats.packetsSent).toBe(1);
  });

  it("offers sendonly to hold, bumps the o= version, and stops receiving per the answer", async () => {
    await handler.getDescription();
    await handler.setDescription(remote("8", "sendrecv"));
    const hold = await handler.getDescription({ hold: true });
    expect(hold.body).toContain("a=sendonly");
    expect(hold.body).toMatch(/^o=- \d+ 2 /m);
    await handler.setDescription(remote("8", "recvonly"));
    expect(handler.direction).toBe("sendonly");
    const resume = await handler.getDescription({ hold: false });
    expect(resume.body).toContain("a=sendrecv");
  });

  it("treats the next description as an offer after a rollback", async () => {
    await handler.getDescription();
    await handler.rollbackDescription();
    await handler.setDescription(remote("0", "sendonly"));
    const answer = await handler.getDescription();
    expect(answer.body).toContain("a=recvonly");
  });

  it("refuses an answer without a common codec", async () => {
    await handler.getDescription();
    await expect(handler.setDescription(remote("96", "sendrecv"))).rejects.toThrow(ClientSdpError);
  });
});

describe("RtpSessionDescriptionHandler as answerer", () => {
  it("answers with the offer's first supported codec, its telephone-event and the mirrored direction", async () => {
    await handler.setDescription(remote("0 8 96", "sendonly"));
    const answer = await handler.getDescription();
    expect(answer.body).toContain(`m=audio ${endpoint.port} RTP/AVP 0 96`);
    expect(answer.body).toContain("a=rtpmap:96 telephone-event/8000");
    expect(answer.body).toContain("a=recvonly");
    expect(handler.direction).toBe("recvonly");
    clock.advance(40);
    expect(endpoint.stats.packetsSent).toBe(0);
  });

  it("answers sendonly while holding", async () => {
    await handler.setDescription(remote("8", "sendrecv"), { hold: true });
    expect((await handler.getDescription()).body).toContain("a=sendonly");
  });

  it("refuses an SRTP-only offer", async () => {
    await handler.setDescription(remote("0", "sendrecv", "RTP/SAVP"));
    await expect(handler.getDescription()).rejects.toThrow(/RTP\/SAVP/);
  });

  it("takes application/sdp only", () => {
    expect(handler.hasDescription("application/sdp")).toBe(true);
    expect(handler.hasDescription("Application/SDP; charset=utf-8")).toBe(true);
    expect(handler.hasDescription("text/plain")).toBe(false);
  });
});
