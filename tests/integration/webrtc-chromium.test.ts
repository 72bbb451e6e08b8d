import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebRtcEndpoint, type WebRtcRtpPacket } from "../../src/media/index.js";
import { HAS_CHROMIUM, launchChromium } from "../support/chromium.js";
import { until } from "../support/until.js";

/**
 * A page in Debian's Chromium (fake microphone: a tone) negotiates with a WebRtcEndpoint in
 * this process; the test carries the SDP both ways with page.evaluate. The page is served by
 * a tiny HTTP server on 127.0.0.1 (a secure context, so getUserMedia works). No
 * --allow-loopback-in-peer-connection: Chromium's own candidates are its non-loopback
 * interfaces, and its checks still reach our host candidate on 127.0.0.1, as a real
 * browser on the emulator's machine does.
 */
const PAGE = `<!doctype html><meta charset="utf-8"><title>webrtc gateway test</title><script>
window.pc = null;
async function gathered(pc) {
  if (pc.iceGatheringState === "complete") return;
  await new Promise((resolve) => {
    pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve());
  });
}
async function start() {
  const pc = new RTCPeerConnection();
  window.pc = pc;
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  return pc;
}
window.makeOffer = async () => {
  const pc = await start();
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  return pc.localDescription.sdp;
};
window.takeAnswer = (sdp) => window.pc.setRemoteDescription({ type: "answer", sdp });
window.answerOffer = async (sdp) => {
  const pc = await start();
  await pc.setRemoteDescription({ type: "offer", sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  return pc.localDescription.sdp;
};
window.inbound = async () => {
  let packets = 0;
  (await window.pc.getStats()).forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "audio") packets += s.packetsReceived; });
  return { packets, state: window.pc.connectionState };
};
</script>`;

describe.skipIf(!HAS_CHROMIUM)("WebRtcEndpoint with a real Chromium page", () => {
  let server: Server;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    server = createServer((_, res) => res.writeHead(200, { "content-type": "text/html" }).end(PAGE));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium(["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Sends G.711 frames from the endpoint until the page's getStats() counts `count` inbound packets. */
  async function pumpUntilPageReceives(page: Page, endpoint: WebRtcEndpoint, count: number): Promise<void> {
    const pt = endpoint.codec?.payloadType ?? 0;
    let seq = 0;
    const timer = setInterval(() => {
      seq += 1;
      endpoint.sendRtp({
        payloadType: pt,
        sequenceNumber: seq,
        timestamp: seq * 160,
        payload: Buffer.alloc(160, 0xd5),
      });
    }, 20);
    try {
      let last = { packets: 0, state: "" };
      await until(
        async () => {
          last = await page.evaluate(() =>
            (globalThis as unknown as { inbound(): Promise<typeof last> }).inbound(),
          );
          return last.packets >= count;
        },
        () => `the page to count ${count} inbound audio packets (getStats: ${JSON.stringify(last)})`,
        20_000,
      );
    } finally {
      clearInterval(timer);
    }
  }

  async function receivedFromPage(endpoint: WebRtcEndpoint, count: number): Promise<WebRtcRtpPacket[]> {
    const packets: WebRtcRtpPacket[] = [];
    endpoint.onRtp((p) => packets.push(p));
    await until(
      () => packets.length >= count,
      () => `${count} RTP packets from Chromium (got ${packets.length})`,
    );
    return packets;
  }

  it("answers Chromium's offer with G.711 (not Opus): RTP flows both ways and getStats() counts it", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const offer = await page.evaluate(() =>
      (globalThis as unknown as { makeOffer(): Promise<string> }).makeOffer(),
    );
    const endpoint = await WebRtcEndpoint.answer(offer);
    try {
      expect(endpoint.codec?.name).toBe("PCMU");
      const fromPage = receivedFromPage(endpoint, 25);
      await page.evaluate(
        (sdp) => (globalThis as unknown as { takeAnswer(s: string): Promise<void> }).takeAnswer(sdp),
        endpoint.localSdp,
      );
      await endpoint.connected;
      const packets = await fromPage;
      expect(packets.every((p) => p.payloadType === 0 && p.payload.length === 160)).toBe(true);
      await pumpUntilPageReceives(page, endpoint, 25);
      expect(endpoint.stats().packetsReceived).toBeGreaterThanOrEqual(25);
    } finally {
      await endpoint.close();
      await page.close();
    }
  }, 60_000);

  it("offers to Chromium (late offer) and carries audio both ways on its answer", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const endpoint = await WebRtcEndpoint.offer({ codecs: ["PCMA"] });
    try {
      const answer = await page.evaluate(
        (sdp) => (globalThis as unknown as { answerOffer(s: string): Promise<string> }).answerOffer(sdp),
        endpoint.localSdp,
      );
      const fromPage = receivedFromPage(endpoint, 25);
      await endpoint.acceptAnswer(answer);
      await endpoint.connected;
      expect(endpoint.codec?.name).toBe("PCMA");
      expect((await fromPage).every((p) => p.payloadType === 8)).toBe(true);
      await pumpUntilPageReceives(page, endpoint, 25);
    } finally {
      await endpoint.close();
      await page.close();
    }
  }, 60_000);
});

if (!HAS_CHROMIUM) console.log("webrtc-chromium.test.ts skipped: /usr/bin/chromium is not installed");
