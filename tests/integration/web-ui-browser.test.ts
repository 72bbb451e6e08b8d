import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { CHROMIUM, HAS_CHROMIUM, launchChromium, NETWORK_CHANGED, openApp } from "../support/chromium.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";

if (!HAS_CHROMIUM) {
  console.warn(`web-ui-browser: ${CHROMIUM} not found (apt-get install chromium): browser tests skipped`);
}

const TOKEN = "web-ui-browser-admin";
/** The page polls every 2 s: what the test changes shows within one or two polls. */
const WITHIN = { timeout: 6000, interval: 100 };
const USER_NUMBER = "+4923026672131";
/** What a hostile PBX could put into a header: it must reach the page as text and run nothing. */
const INJECTED = `<img src=x onerror="window.__pwned=true;alert('pwned')">`;

const SEED = `
tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-1
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", phoneNumber: "${USER_NUMBER}", system: osbiz-1 }
`;

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let pbx: PbxTestUa;
let browser: Browser;
/** Where the PBX side of a call receives RTP. */
let rtp: dgram.Socket;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  [emulator, browser] = await Promise.all([
    startTestEmulator({ adminToken: TOKEN, seedText: SEED, rtpPorts: { min: 48000, max: 48199 } }),
    launchChromium(),
  ]);
  http = httpClient(emulator);
  pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  rtp = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => rtp.bind(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  rtp?.close();
  pbx?.close();
  await browser?.close();
  await emulator?.close();
});

/** The page in a fresh context, with what it logs as errors and the dialogs it opens (confirms accepted). */
async function openPage() {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on("console", (m) => {
    // A load lost to a network change is tried again (openApp); the browser reports the loss itself.
    if (m.type() === "error" && !m.text().includes(NETWORK_CHANGED)) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void (d.type() === "confirm" ? d.accept() : d.dismiss());
  });
  await openApp(page, `${emulator.urls.https}/`);
  return { page, errors, dialogs, close: () => context.close() };
}

async function logIn(page: Page, token: string): Promise<void> {
  await page.fill("#token", token);
  await page.click("#login-form button[type=submit]");
}

const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();
const traceText = (page: Page) => page.locator("#trace").textContent();
/** Evaluated in the page (this file is compiled without the DOM library). */
const storedToken = (page: Page) => page.evaluate<string | null>('sessionStorage.getItem("upe.adminToken")');

function options(port: number, userAgent: string): string {
  const id = randomBytes(4).toString("hex");
  return [
    "OPTIONS sip:phoneapp.unify.com SIP/2.0",
    `Via: SIP/2.0/TLS 127.0.0.1:${port};branch=z9hG4bK${id}`,
    "Max-Forwards: 70",
    `From: <sip:${TRUNK.username}@phoneapp.unify.com>;tag=${id}`,
    "To: <sip:phoneapp.unify.com>",
    `Call-ID: opt-${id}`,
    "CSeq: 1 OPTIONS",
    `User-Agent: ${userAgent}`,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

describe.skipIf(!HAS_CHROMIUM)("web UI in Chromium", () => {
  it("shows live connectors, calls, faults and the trace; SIP text stays text; the token stays out of URLs", async () => {
    const { page, errors, dialogs, close } = await openPage();
    await logIn(page, TOKEN);
    await expect.poll(() => texts(page, "tr.connector .badge"), WITHIN).toEqual(["unavailable"]);
    await expect
      .poll(() => page.locator("#clock").textContent(), WITHIN)
      .toMatch(/emulator clock .* running/);
    expect(await storedToken(page)).toBe(TOKEN);

    expect((await pbx.register()).status).toBe(200);
    await expect.poll(() => texts(page, "tr.connector .badge"), WITHIN).toEqual(["available"]);
    await expect.poll(() => traceText(page), WITHIN).toContain("REGISTER sip:phoneapp.unify.com SIP/2.0");

    const acme = (await http.admin("GET", "/api/admin/tenants")).body[0];
    const al = (await http.admin("GET", `/api/admin/tenants/${acme.id}/users?search=al@acme.test`)).body
      .items[0];
    await http.admin("PATCH", `/api/admin/tenants/${acme.id}/users/${al.id}`, {
      callBehaviour: { mode: "answer", ringMs: 0 },
    });
    const invite = pbx.sendInvite(USER_NUMBER, sdpOffer(rtp.address().port));
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);
    await expect.poll(() => texts(page, "tr.call .badge"), WITHIN).toEqual(["answered"]);
    pbx.inDialog("BYE", ok);
    await pbx.response(invite.callId, 200, "BYE");
    await expect.poll(() => texts(page, "tr.call .badge"), WITHIN).toEqual(["ended"]);
    const row = page.locator("tr.call").first();
    expect(await row.textContent()).toContain(`${TRUNK.username} → ${USER_NUMBER}`);
    await row.click();
    expect(await row.getAttribute("aria-expanded")).toBe("true");
    const ladder = (await page.locator("tr.call-details").first().textContent()) ?? "";
    expect(ladder).toMatch(/invite[\s\S]*answered[\s\S]*ended/);

    await http.admin("POST", "/api/admin/faults", {
      id: "options-503",
      layer: "sip",
      match: { method: "OPTIONS" },
      action: { type: "respond", status: 503 },
    });
    expect((await pbx.client.request(options(pbx.port, INJECTED))).status).toBe(503);
    await expect
      .poll(() => texts(page, 'tr.fault[data-fault-id="options-503"] .hits'), WITHIN)
      .toEqual(["1"]);
    await expect.poll(() => traceText(page), WITHIN).toContain(`User-Agent: ${INJECTED}`);
    expect(await page.locator("#trace img, img").count()).toBe(0);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-pcap")]);
    expect(download.suggestedFilename()).toMatch(/^upe-trace-.*\.pcap$/);
    expect(readFileSync(await download.path()).readUInt32LE(0)).toBe(0xa1b2c3d4);

    await page.click('tr.fault[data-fault-id="options-503"] button');
    await expect.poll(() => texts(page, "tr.fault"), WITHIN).toEqual([]);
    expect((await http.admin("GET", "/api/admin/faults")).body).toEqual([]);
    expect(dialogs).toEqual(['confirm: Remove fault rule "options-503"?']);

    await page.click("#pause");
    expect(await page.locator("#poll-state").textContent()).toBe("paused");
    await page.click("#forget");
    expect(await page.locator("#login").isVisible()).toBe(true);
    expect(await page.locator("#dashboard").isVisible()).toBe(false);
    expect(await storedToken(page)).toBeNull();
    expect(await texts(page, "tr.connector")).toEqual([]);
    expect(page.url()).toBe(`${emulator.urls.https}/`);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it("shows the 401 problem for a wrong token and keeps no token", async () => {
    const { page, errors, close } = await openPage();
    await logIn(page, "not-the-token");
    await expect
      .poll(() => page.locator("#login-error").textContent(), WITHIN)
      .toBe("The admin token is not valid: wrong admin token (401 admin_token_invalid)");
    expect(await page.locator("#dashboard").isVisible()).toBe(false);
    expect(await storedToken(page)).toBeNull();
    // The browser reports the refused request itself; nothing else may go wrong.
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    await close();
  });

  it("sends nothing more once the token is forgotten, even from a refresh under way", async () => {
    const { page, close } = await openPage();
    const refused: string[] = [];
    page.on("response", (r) => {
      if (r.status() === 401) refused.push(r.url());
    });
    await logIn(page, TOKEN);
    await page.waitForSelector("#dashboard:not([hidden]) article.tenant");

    // Hold the operator console's tenant list until the token is forgotten; the per-tenant calls
    // that follow it in the same refresh would then go out without a token.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = 0;
    await page.route(/\/api\/admin\/tenants$/, async (route) => {
      held += 1;
      await released;
      await route.continue();
    });
    await page.click("#pause");
    await page.click("#pause"); // resume: refreshes at once
    await expect.poll(() => held, WITHIN).toBeGreaterThan(0);
    await page.click("#forget");
    release(); // later calls pass straight through

    // Logging in again waits for the refresh under way (runs never overlap): once the console is
    // back, that refresh is over.
    await logIn(page, TOKEN);
    await page.waitForSelector("#dashboard:not([hidden]) article.tenant");
    expect(refused).toEqual([]);
    await close();
  }, 60_000);
});
