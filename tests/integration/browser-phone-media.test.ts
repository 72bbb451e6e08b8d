import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { type MockCall, MockOsbiz, type ReferOutcome } from "../../src/mock-osbiz/index.js";
import { ACME_API_KEY, acmeSeed } from "../support/acme-seed.js";
import {
  CHROMIUM,
  HAS_CHROMIUM,
  launchChromium,
  NETWORK_CHANGED,
  openApp,
  signOutPhone,
} from "../support/chromium.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

// The browser phone with real audio: the mock OSBiz calls a user, the page answers with WebRTC
// (fake microphone: a tone), the connector anchors the media between the browser's DTLS-SRTP and
// the PBX's plain RTP. Counters on both sides, hold, DTMF, hang-up.

if (!HAS_CHROMIUM) {
  console.warn(
    `browser-phone-media: ${CHROMIUM} not found (apt-get install chromium): browser tests skipped`,
  );
}

const PASSWORD = { al: "al-client-pass-1", bo: "bo-client-pass-1" };
const NUMBER = { al: "+4923026672131", bo: "+4923026672132" };
/** An outside number: the mock OSBiz answers calls to it itself. */
const CONSULTED = "+4923026679999";
const WITHIN = { timeout: 15_000, interval: 200 };
/** Packets that prove audio flows (50 per second at 20 ms): a second's worth. */
const FLOWING = 50;
/** A call in progress as docs/img/phone.png shows it (test-artifacts/ is git-ignored). */
const ARTIFACTS = new URL("../../test-artifacts/phone/", import.meta.url);
const SHOTS = mkdtempSync(join(tmpdir(), "browser-phone-media-"));

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let mock: MockOsbiz;
let browser: Browser;
let tenantId: string;
const mockLog: string[] = [];
const open: PhonePage[] = [];

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  const seed = acmeSeed(
    `{ emailAddress: bo@acme.test, firstName: Bo, lastName: Bee, locale: en-US, callno: "2132", system: osbiz-1, clientPassword: "${PASSWORD.bo}" }`,
  ).replace(
    'callno: "2131", system: osbiz-1 }',
    `callno: "2131", system: osbiz-1, clientPassword: "${PASSWORD.al}" }`,
  );
  [emulator, browser] = await Promise.all([
    startTestEmulator({ seedText: seed, rtpPorts: { min: 55000, max: 55199 } }),
    launchChromium([
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      "--autoplay-policy=no-user-gesture-required",
    ]),
  ]);
  http = httpClient(emulator);
  tenantId = emulator.store.tenants.list()[0]!.id;
  // Only the browsers ring: no virtual user answers for them.
  for (const email of ["al@acme.test", "bo@acme.test"]) {
    const id = emulator.store.users.getByEmail(tenantId, email)!.id;
    await http.admin("PATCH", `/api/admin/tenants/${tenantId}/users/${id}`, {
      callBehaviour: { routing: "clients-only" },
    });
  }
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: ACME_API_KEY,
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    rtp: { bind: "127.0.0.1", portRange: { min: 55200, max: 55399 } },
    users: [{ callno: "2131" }, { callno: "2132" }],
    log: (line) => mockLog.push(line),
  });
});

afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await mock?.stop();
  await browser?.close();
  await emulator?.close();
});

interface PhonePage {
  readonly page: Page;
  readonly errors: string[];
  close(): Promise<void>;
}

/** A signed-in, registered page of a user. */
async function phoneOf(user: "al" | "bo"): Promise<PhonePage> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 760, height: 700 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().includes(NETWORK_CHANGED)) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  const close = async () => {
    await signOutPhone(page, WITHIN.timeout);
    await context.close();
  };
  const phone = { page, errors, close };
  open.push(phone);
  await openApp(page, `${emulator.urls.https}/phone`);
  await page.fill("#tenant", "Acme");
  await page.fill("#user", `${user}@acme.test`);
  await page.fill("#password", PASSWORD[user]);
  await page.click("#sign-in button[type=submit]");
  await expect.poll(() => page.locator("#registration").textContent(), WITHIN).toBe("registered");
  return phone;
}

/** Steps of a test; on failure screenshots of the pages and the mock's log are in the error. */
async function steps(name: string, pages: PhonePage[], run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const shots = await Promise.all(
      pages.map(async (p, i) => {
        const path = join(SHOTS, `${name}-${i}-${Date.now()}.png`);
        await p.page.screenshot({ path, fullPage: true }).catch(() => {});
        return `${path} (page errors: ${JSON.stringify(p.errors)})`;
      }),
    );
    const context = `screenshots: ${shots.join(", ")}\nmock OSBiz:\n${mockLog.slice(-30).join("\n")}`;
    const wrapped = new Error(`${error instanceof Error ? error.message : String(error)}\n${context}`);
    if (error instanceof Error && error.stack)
      wrapped.stack = `${wrapped.message}\n${error.stack.split("\n").slice(1).join("\n")}`;
    throw wrapped;
  }
}

/** The page's getStats() totals of its calls. */
function pageStats(
  page: Page,
): Promise<{ inboundPackets: number; outboundPackets: number; codec: string | null }[]> {
  return page.evaluate("window.upePhone.stats()");
}

const calls = (page: Page, state: string) => page.locator(`li.call[data-state=${state}]`);

/** The mock calls `number`; the page answers; resolves with the mock's answered call. */
async function answeredCall(phone: PhonePage, number: string): Promise<MockCall> {
  const placed = mock.call(number, { media: "tone" });
  await expect.poll(() => calls(phone.page, "ringing").count(), WITHIN).toBe(1);
  await phone.page.click("li.call [data-action=answer]");
  const call = await placed;
  await expect.poll(() => calls(phone.page, "established").count(), WITHIN).toBe(1);
  return call;
}

/** The journal entry of the user's latest call. */
async function latestCall(user: "al" | "bo") {
  const userId = emulator.store.users.getByEmail(tenantId, `${user}@acme.test`)!.id;
  return (await http.admin("GET", `/api/admin/calls?userId=${userId}`)).body[0];
}

describe.skipIf(!HAS_CHROMIUM)("browser phone: WebRTC audio through the connector", () => {
  it("answers a PBX call: audio both ways, counted on both legs; hold and retrieve; DTMF; hang up", {
    timeout: 60_000,
  }, async () => {
    const al = await phoneOf("al");
    await steps("audio", [al], async () => {
      const call = await answeredCall(al, NUMBER.al);
      const { page } = al;

      // The browser hears the PBX's tone and sends its microphone.
      await expect
        .poll(async () => (await pageStats(page))[0]?.inboundPackets ?? 0, WITHIN)
        .toBeGreaterThan(FLOWING);
      await expect
        .poll(async () => (await pageStats(page))[0]?.outboundPackets ?? 0, WITHIN)
        .toBeGreaterThan(FLOWING);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: fileURLToPath(new URL("call.png", ARTIFACTS)) });
      // The PBX receives the browser's audio, relayed by the connector.
      await expect.poll(() => call.media?.stats.packetsReceived ?? 0, WITHIN).toBeGreaterThan(FLOWING);
      // The journal counts both legs.
      const legs = legPackets(await latestCall("al"));
      expect(legs.clientKind).toBe("webrtc");
      expect(legs.pbx!.received).toBeGreaterThan(FLOWING);
      expect(legs.pbx!.sent).toBeGreaterThan(FLOWING);
      expect(legs.client!.received).toBeGreaterThan(FLOWING);
      expect(legs.client!.sent).toBeGreaterThan(FLOWING);

      await page.click("li.call [data-action=hold]");
      await expect.poll(() => page.locator("li.call").getAttribute("data-held"), WITHIN).toBe("true");
      await expect.poll(() => call.heldByRemote, WITHIN).toBe(true);
      await page.click("li.call [data-action=retrieve]");
      await expect.poll(() => page.locator("li.call").getAttribute("data-held"), WITHIN).toBe("false");
      await expect.poll(() => call.heldByRemote, WITHIN).toBe(false);

      await page.click("button.key[data-key='5']");
      await expect.poll(() => call.dtmf.map((d) => d.digit).join(""), WITHIN).toBe("5");
      expect(await page.locator("li.call .dtmf").textContent()).toBe("DTMF 5 (rfc4733)");

      await page.click("li.call [data-action=hangup]");
      await expect.poll(() => call.state, WITHIN).toBe("ended");
      expect(al.errors).toEqual([]);
    });
  });

  it("blind transfer: Al sends the PBX's call on to Bo; Bo's page rings, answers and hears it; Al's call ends", {
    timeout: 60_000,
  }, async () => {
    const al = await phoneOf("al");
    const bo = await phoneOf("bo");
    await steps("blind-transfer", [al, bo], async () => {
      await answeredCall(al, NUMBER.al);
      await al.page.fill("li.call .transfer-target", "2132");
      await al.page.click("li.call [data-action=blind-transfer]");
      await expect.poll(() => calls(bo.page, "ringing").count(), WITHIN).toBe(1);
      await bo.page.click("li.call [data-action=answer]");
      await expect.poll(() => calls(bo.page, "established").count(), WITHIN).toBe(1);
      await expect
        .poll(async () => (await pageStats(bo.page))[0]?.inboundPackets ?? 0, WITHIN)
        .toBeGreaterThan(FLOWING);
      await expect.poll(() => calls(al.page, "established").count(), WITHIN).toBe(0);
      await bo.page.click("li.call [data-action=hangup]");
      expect([...al.errors, ...bo.errors]).toEqual([]);
    });
  });

  it("consult, alternate, attended transfer: the PBX joins the held caller with the consulted party", {
    timeout: 60_000,
  }, async () => {
    const al = await phoneOf("al");
    await steps("attended-transfer", [al], async () => {
      const referred = new Promise<ReferOutcome>((resolve) => {
        const off = mock.on("referred", (outcome) => {
          off();
          resolve(outcome);
        });
      });
      const caller = await answeredCall(al, NUMBER.al);
      // The consultation goes to the PBX (the mock answers a call to an outside number).
      await al.page.fill("li.call .transfer-target", CONSULTED);
      await al.page.click("li.call [data-action=consult]");
      await expect.poll(() => calls(al.page, "established").count(), WITHIN).toBe(2);
      const held = () => al.page.locator("li.call[data-held=true] .party").textContent();
      expect(await held()).not.toBe(CONSULTED);
      await expect.poll(() => caller.heldByRemote, WITHIN).toBe(true);

      // Alternate twice: each time one call is held and the other active.
      await al.page.locator("li.call[data-held=true] [data-action=alternate]").click();
      await expect.poll(held, WITHIN).toBe(CONSULTED);
      await expect.poll(() => caller.heldByRemote, WITHIN).toBe(false);
      await al.page.locator("li.call[data-held=true] [data-action=alternate]").click();
      await expect.poll(held, WITHIN).not.toBe(CONSULTED);

      // REFER with Replaces on the held call: the PBX joins its two parties, both of Al's calls end.
      await al.page.locator("li.call[data-held=true] [data-action=attended-transfer]").click();
      expect(await referred).toMatchObject({ kind: "join", status: 200 });
      await expect.poll(() => calls(al.page, "established").count(), WITHIN).toBe(0);
      expect(al.errors).toEqual([]);
    });
  });

  it("call waiting: a second PBX call rings during the first; answering it holds the first", {
    timeout: 60_000,
  }, async () => {
    const al = await phoneOf("al");
    await steps("call-waiting", [al], async () => {
      const first = await answeredCall(al, NUMBER.al);
      const placed = mock.call(NUMBER.al, { media: "tone" });
      await expect.poll(() => calls(al.page, "ringing").count(), WITHIN).toBe(1);
      await al.page.click("li.call[data-state=ringing] [data-action=answer]");
      const second = await placed;
      await expect.poll(() => first.heldByRemote, WITHIN).toBe(true);
      await expect.poll(() => calls(al.page, "established").count(), WITHIN).toBe(2);
      expect(await al.page.locator("li.call[data-held=false][data-state=established]").count()).toBe(1);
      await expect.poll(() => second.media?.stats.packetsReceived ?? 0, WITHIN).toBeGreaterThan(FLOWING);

      // Back to the first: alternate, then hang both up.
      await al.page.locator("li.call[data-held=true] [data-action=alternate]").click();
      await expect.poll(() => [first.heldByRemote, second.heldByRemote], WITHIN).toEqual([false, true]);
      const ids = await al.page
        .locator("li.call[data-state=established]")
        .evaluateAll((items) => items.map((li) => li.getAttribute("data-call")));
      for (const id of ids) await al.page.click(`li.call[data-call="${id}"] [data-action=hangup]`);
      await expect.poll(() => [first.state, second.state], WITHIN).toEqual(["ended", "ended"]);
      expect(al.errors).toEqual([]);
    });
  });

  it("3-way conference: the caller and the consulted party hear each other and Al, mixed by the emulator", {
    timeout: 60_000,
  }, async () => {
    const al = await phoneOf("al");
    await steps("conference", [al], async () => {
      const caller = await answeredCall(al, NUMBER.al);
      const consulted = new Promise<MockCall>((resolve) => {
        const off = mock.on("incoming", (call) => {
          off();
          resolve(call);
        });
      });
      await al.page.fill("li.call .transfer-target", CONSULTED);
      await al.page.click("li.call [data-action=consult]");
      await expect.poll(() => calls(al.page, "established").count(), WITHIN).toBe(2);
      const second = await consulted;

      await al.page.locator("li.call[data-held=true] [data-action=conference]").click();
      // One call is left on the page: the conference; Al's two calls went into it.
      await expect
        .poll(() => al.page.locator("li.call[data-state=established] .party").allTextContents(), WITHIN)
        .toEqual(["Conference"]);
      await expect.poll(() => al.page.locator("li.call").count(), WITHIN).toBe(1);
      // Every party receives audio: Al from the mix, both PBX parties from the mix.
      const before = [caller.media!.stats.packetsReceived, second.media!.stats.packetsReceived];
      await expect
        .poll(async () => (await pageStats(al.page))[0]?.inboundPackets ?? 0, WITHIN)
        .toBeGreaterThan(FLOWING);
      await expect
        .poll(() => caller.media!.stats.packetsReceived - before[0]!, WITHIN)
        .toBeGreaterThan(FLOWING);
      await expect
        .poll(() => second.media!.stats.packetsReceived - before[1]!, WITHIN)
        .toBeGreaterThan(FLOWING);

      // Al leaving ends the conference: both PBX calls end.
      await al.page.click("li.call [data-action=hangup]");
      await expect.poll(() => [caller.state, second.state], WITHIN).toEqual(["ended", "ended"]);
      expect(al.errors).toEqual([]);
    });
  });
});

type LegView = { kind: string; stats: { packetsSent: number; packetsReceived: number } } | null;

/** Packets per leg from a journal entry: `media.pbx` (plain RTP to the PBX) and `media.client` (WebRTC). */
function legPackets(entry: { media?: { pbx?: LegView; client?: LegView } | null }) {
  const of = (leg: LegView | undefined) =>
    leg && { sent: leg.stats.packetsSent, received: leg.stats.packetsReceived };
  return {
    pbx: of(entry.media?.pbx),
    client: of(entry.media?.client),
    clientKind: entry.media?.client?.kind,
  };
}
