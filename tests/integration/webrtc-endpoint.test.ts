import { afterEach, describe, expect, it } from "vitest";
import { WebRtcEndpoint, WebRtcError, type WebRtcRtpPacket } from "../../src/media/index.js";
import { until } from "../support/until.js";
import { BrowserPeer, CHROMIUM_LIKE_CODECS } from "../support/webrtc-browser-peer.js";
import { freePortRange } from "../unit/media/support/udp-peer.js";

/** The WebRTC gateway leg against a werift peer playing the browser, over DTLS-SRTP on 127.0.0.1. */
describe("WebRtcEndpoint with a browser peer on 127.0.0.1", () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });

  function track<T extends { close(): Promise<void> }>(thing: T): T {
    open.push(thing);
    return thing;
  }

  /** Sends 20 ms frames from the endpoint until the browser has `count` or the attempts run out. */
  async function pumpToBrowser(endpoint: WebRtcEndpoint, browser: BrowserPeer, count: number): Promise<void> {
    const pt = endpoint.codec?.payloadType ?? 0;
    for (let seq = 1; seq <= count * 4 && browser.received.length < count; seq += 1) {
      endpoint.sendRtp({
        payloadType: pt,
        sequenceNumber: seq,
        timestamp: seq * 160,
        payload: Buffer.alloc(160, 0xd5),
      });
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => browser.received.length >= count, "the browser to receive the endpoint's audio");
  }

  it("answers a Chromium-like offer with G.711, connects, and carries audio both ways", async () => {
    const browser = track(new BrowserPeer());
    const offer = await browser.offer();
    const endpoint = track(await WebRtcEndpoint.answer(offer));
    const fromBrowser: WebRtcRtpPacket[] = [];
    endpoint.onRtp((p) => fromBrowser.push(p));

    expect(endpoint.localSdp).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0 126\r?$/m);
    expect(endpoint.localSdp).not.toMatch(/opus/i);
    expect(endpoint.localSdp).toMatch(/^a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/m);
    expect(endpoint.localSdp).toMatch(/^a=fingerprint:sha-256 /m);
    expect(endpoint.localSdp).toMatch(/^a=setup:passive\r?$/m);
    expect(endpoint.codec).toEqual({ name: "PCMU", payloadType: 0, clockRate: 8000, telephoneEvent: 126 });

    await browser.acceptAnswer(endpoint.localSdp);
    await endpoint.connected;
    expect(endpoint.state).toBe("connected");

    await browser.send(25);
    await until(
      () => fromBrowser.length >= 20,
      () => `20 packets from the browser (got ${fromBrowser.length})`,
    );
    expect(fromBrowser.every((p) => p.payloadType === 0 && p.payload.length === 160)).toBe(true);
    expect(fromBrowser[0]?.payload[0]).toBe(0x55);

    await pumpToBrowser(endpoint, browser, 20);
    expect(browser.received.every((p) => p.payloadType === 0)).toBe(true);
    expect(browser.received[0]?.payload[0]).toBe(0xd5);

    const stats = endpoint.stats();
    expect(stats.packetsReceived).toBe(fromBrowser.length);
    expect(stats.bytesReceived).toBe(fromBrowser.length * 160);
    expect(stats.packetsSent).toBeGreaterThanOrEqual(20);
    expect(stats.bytesSent).toBe(stats.packetsSent * 160);
    expect(stats.packetsLost).toBe(0);
  });

  it("binds every interface (the emulator's default --bind 0.0.0.0) and connects on the advertised address", async () => {
    const browser = track(new BrowserPeer());
    const endpoint = track(
      await WebRtcEndpoint.answer(await browser.offer(), { addresses: ["127.0.0.1"], bind: "0.0.0.0" }),
    );
    expect(endpoint.localSdp).toMatch(/^a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/m);
    await browser.acceptAnswer(endpoint.localSdp);
    await endpoint.connected;
    const fromBrowser: WebRtcRtpPacket[] = [];
    endpoint.onRtp((p) => fromBrowser.push(p));
    await browser.send(10);
    await until(
      () => fromBrowser.length >= 5,
      () => `5 packets from the browser (got ${fromBrowser.length})`,
    );
  });

  it("answers a=setup:active to an offer that wants to be the DTLS server, and connects", async () => {
    const browser = track(new BrowserPeer());
    const offer = (await browser.offer()).replace(/^a=setup:actpass/m, "a=setup:passive");
    for (const dtls of browser.pc.dtlsTransports) dtls.role = "server";
    const endpoint = track(await WebRtcEndpoint.answer(offer));
    expect(endpoint.localSdp).toMatch(/^a=setup:active\r?$/m);
    await browser.acceptAnswer(endpoint.localSdp);
    await endpoint.connected;
  });

  it("sends telephone-event with the browser's payload type, not the codec's", async () => {
    const browser = track(new BrowserPeer());
    const endpoint = track(await WebRtcEndpoint.answer(await browser.offer()));
    await browser.acceptAnswer(endpoint.localSdp);
    await endpoint.connected;
    const event = Buffer.from([5, 0x8a, 0x00, 0xa0]);
    for (let i = 0; i < 50 && !browser.received.some((p) => p.payloadType === 126); i += 1) {
      endpoint.sendRtp({
        payloadType: 126,
        sequenceNumber: 100 + i,
        timestamp: 8000,
        marker: i === 0,
        payload: event,
      });
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(
      () => browser.received.some((p) => p.payloadType === 126),
      "a telephone-event packet at the browser",
    );
    expect(browser.received.find((p) => p.payloadType === 126)?.payload).toEqual(event);
  });

  it("answers with the caller's preferred codec (G.722 for a wideband PBX leg)", async () => {
    const browser = track(new BrowserPeer());
    const endpoint = track(await WebRtcEndpoint.answer(await browser.offer(), { codecs: ["G722", "PCMA"] }));
    expect(endpoint.codec?.name).toBe("G722");
    expect(endpoint.localSdp).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 9 126\r?$/m);
    await browser.acceptAnswer(endpoint.localSdp);
    await endpoint.connected;
    expect(browser.sendingPayloadType).toBe(9);
  });

  it("offers (late offer toward a client), takes the browser's answer, and carries audio both ways", async () => {
    const endpoint = track(await WebRtcEndpoint.offer({ codecs: ["PCMA", "PCMU"] }));
    expect(endpoint.codec).toBeNull();
    expect(endpoint.localSdp).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 8 0 101\r?$/m);
    const fromBrowser: WebRtcRtpPacket[] = [];
    endpoint.onRtp((p) => fromBrowser.push(p));
    const browser = track(new BrowserPeer());
    const answer = await browser.answer(endpoint.localSdp);
    await endpoint.acceptAnswer(answer);
    await endpoint.connected;
    expect(endpoint.codec).toEqual({ name: "PCMA", payloadType: 8, clockRate: 8000, telephoneEvent: 101 });

    await browser.send(25);
    await until(() => fromBrowser.length >= 20, "20 packets from the browser");
    expect(fromBrowser.every((p) => p.payloadType === 8)).toBe(true);
    await pumpToBrowser(endpoint, browser, 20);
    expect(browser.received.every((p) => p.payloadType === 8)).toBe(true);
  });

  it("keeps its ICE ports inside the range it is given, distinct for endpoints created at once", async () => {
    const range = await freePortRange(6);
    const browsers = [0, 1, 2].map(() => track(new BrowserPeer()));
    const offers = await Promise.all(browsers.map((b) => b.offer()));
    const endpoints = await Promise.all(
      offers.map((o) => WebRtcEndpoint.answer(o, { portRange: [range.min, range.max] }).then(track)),
    );
    const ports = endpoints.map((e) => Number(/ 127\.0\.0\.1 (\d+) typ host/.exec(e.localSdp)?.[1]));
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(range.min);
      expect(port).toBeLessThanOrEqual(range.max);
    }
    await Promise.all(browsers.map((b, i) => b.acceptAnswer(endpoints[i]?.localSdp ?? "")));
    await Promise.all(endpoints.map((e) => e.connected));
  });

  it("advertises an address that is not on this host when told to bind elsewhere (NAT, container)", async () => {
    const endpoint = track(await WebRtcEndpoint.offer({ addresses: ["203.0.113.7"], bind: "0.0.0.0" }));
    expect(endpoint.localSdp).toMatch(/^a=candidate:\S+ 1 udp \d+ 203\.0\.113\.7 \d+ typ host/m);
    expect(endpoint.localSdp).not.toMatch(/127\.0\.0\.1/);
  });

  it("rejects SDP that is not SDP, or has no audio, with a typed error", async () => {
    const garbage = await WebRtcEndpoint.answer("hello world").catch((e: unknown) => e);
    expect(garbage).toBeInstanceOf(WebRtcError);
    expect((garbage as WebRtcError).code).toBe("bad-sdp");

    const video =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n";
    const noAudio = await WebRtcEndpoint.answer(video).catch((e: unknown) => e);
    expect((noAudio as WebRtcError).code).toBe("bad-sdp");

    const audioNoIce =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP4 127.0.0.1\r\n";
    const plain = await WebRtcEndpoint.answer(audioNoIce).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(WebRtcError);
    expect((plain as WebRtcError).code).toBe("bad-sdp");
  });

  it("refuses an Opus-only offer with no-common-codec", async () => {
    const opusOnly = CHROMIUM_LIKE_CODECS().filter((c) => c.mimeType === "audio/opus");
    const browser = track(new BrowserPeer(opusOnly));
    const error = await WebRtcEndpoint.answer(await browser.offer()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebRtcError);
    expect((error as WebRtcError).code).toBe("no-common-codec");
    expect((error as WebRtcError).message).toMatch(/opus\/48000/);
  });

  it("fails with connect-timeout when the browser never connects", async () => {
    const browser = track(new BrowserPeer());
    const endpoint = track(await WebRtcEndpoint.answer(await browser.offer(), { connectTimeoutMs: 300 }));
    const states: string[] = [];
    endpoint.onState((s) => states.push(s));
    const error = await endpoint.connected.catch((e: unknown) => e);
    expect((error as WebRtcError).code).toBe("connect-timeout");
    expect(endpoint.state).toBe("failed");
    expect(endpoint.error?.code).toBe("connect-timeout");
    expect(states).toEqual(["failed"]);
    expect(
      endpoint.sendRtp({ payloadType: 0, sequenceNumber: 1, timestamp: 0, payload: Buffer.alloc(160) }),
    ).toBe(false);
  });

  it("close() before connecting rejects `connected` with closed, and is idempotent", async () => {
    const endpoint = await WebRtcEndpoint.offer();
    await endpoint.close();
    await endpoint.close();
    expect(endpoint.state).toBe("closed");
    expect(((await endpoint.connected.catch((e: unknown) => e)) as WebRtcError).code).toBe("closed");
    await expect(endpoint.acceptAnswer("v=0")).rejects.toMatchObject({ code: "bad-state" });
  });

  it("refuses a second answer and an answer without a common codec", async () => {
    const endpoint = track(await WebRtcEndpoint.offer({ codecs: ["PCMU"] }));
    const browser = track(new BrowserPeer());
    const answer = await browser.answer(endpoint.localSdp);
    const opusAnswer = answer
      .replace(/^m=audio (\d+) (\S+) .*$/m, "m=audio $1 $2 111")
      .replace(/a=rtpmap:0 PCMU\/8000/, "a=rtpmap:111 opus/48000/2");
    await expect(endpoint.acceptAnswer(opusAnswer)).rejects.toMatchObject({ code: "no-common-codec" });
    await endpoint.acceptAnswer(answer);
    await expect(endpoint.acceptAnswer(answer)).rejects.toMatchObject({ code: "bad-state" });
    await endpoint.connected;
  });

  it("goes failed when the browser hangs up", async () => {
    const browser = new BrowserPeer();
    const endpoint = track(await WebRtcEndpoint.answer(await browser.offer()));
    await browser.acceptAnswer(endpoint.localSdp);
    await endpoint.connected;
    await browser.close();
    // ICE consent freshness (RFC 7675) notices the silence within seconds.
    await until(() => endpoint.state === "failed", "the endpoint to notice", 30_000);
    expect(endpoint.error?.code).toBe("connection-failed");
  }, 40_000);
});
