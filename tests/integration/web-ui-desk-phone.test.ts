import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import { ACME_API_KEY, acmeSeed } from "../support/acme-seed.js";
import { CHROMIUM, HAS_CHROMIUM, launchChromium, NETWORK_CHANGED, openApp } from "../support/chromium.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

/**
 * The admin app's desk-phone view in Chromium, against the mock OSBiz's desk phones over the CTI
 * link: the users list links to it, a call ringing on the mock's desk phone shows as ringing,
 * "answer" connects it on the mock, DND set on the phone shows; the trace pane prints the CSTA
 * XML; a refused action is shown with the emulator's problem.
 */

if (!HAS_CHROMIUM) {
  console.warn(`web-ui-desk-phone: ${CHROMIUM} not found (apt-get install chromium): browser test skipped`);
}

const TOKEN = "web-ui-desk-phone-admin";
/** The view refreshes on every trace change (live) or every 2 s: changes show within a few. */
const WITHIN = { timeout: 8000, interval: 100 };

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let browser: Browser;
let mock: MockOsbiz;
let tenantId: string;
let userId: string;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  [emulator, browser] = await Promise.all([
    startTestEmulator({
      adminToken: TOKEN,
      seedText: acmeSeed(),
      ctiSession: "auto",
      rtpPorts: { min: 54300, max: 54349 },
    }),
    launchChromium(),
  ]);
  http = httpClient(emulator);
  tenantId = emulator.store.tenants.list()[0]!.id;
  userId = emulator.store.users.getByEmail(tenantId, "al@acme.test")!.id;
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: ACME_API_KEY,
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    users: [{ callno: "2131", firstName: "Al", lastName: "Ace", emailAddress: "al@acme.test" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 54350, max: 54399 } },
    log: () => {},
  });
});

afterAll(async () => {
  await mock?.stop();
  await browser?.close();
  await emulator?.close();
});

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).textContent()) ?? "").replace(/\s+/g, " ").trim();

describe.skipIf(!HAS_CHROMIUM)("the desk-phone view", () => {
  it("shows a ringing desk phone from the mock; answer connects it; DND and errors show; the trace has the CSTA", async () => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1200, height: 900 },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      // 4xx/5xx of an action the test provokes are logged by the browser as failed loads.
      if (m.type() === "error" && !m.text().includes(NETWORK_CHANGED) && !/status of 409/.test(m.text()))
        errors.push(m.text());
    });
    try {
      await openApp(page, `${emulator.urls.https}/`);
      await page.fill("#token", TOKEN);
      await page.click("#login-form button[type=submit]");

      // The users list links to the user's desk phone.
      await page.goto(`${emulator.urls.https}/#/tenants/${tenantId}/users`);
      await page.click('tr.user[data-email="al@acme.test"] a.desk-phone-link');
      expect(page.url()).toBe(`${emulator.urls.https}/#/tenants/${tenantId}/users/${userId}/desk-phone`);
      expect(await text(page, "#desk-phone-user")).toBe("Al Ace");
      await expect.poll(() => text(page, "#desk-phone-cti"), WITHIN).toBe("● connected, monitored");
      expect(await text(page, "#desk-phone-status")).toBe("idle");
      expect(await page.isDisabled("#desk-phone-answer")).toBe(true);

      // A call rings on the mock's desk phone: Delivered reaches the view.
      mock.deskPhone("2131").ring("004989700");
      await expect.poll(() => text(page, "#desk-phone-status"), WITHIN).toBe("ringing");
      await page.click("#desk-phone-answer");
      await expect.poll(() => mock.deskPhone("2131").state, WITHIN).toBe("connected");
      await expect.poll(() => text(page, "#desk-phone-status"), WITHIN).toBe("connected");
      expect(await text(page, "#desk-phone-outcome")).toBe("answer: done.");

      // Hold from the view; DND switched on the phone itself shows.
      await page.click("#desk-phone-hold");
      await expect.poll(() => text(page, "#desk-phone-status"), WITHIN).toBe("on hold");
      await page.click("#desk-phone-clear");
      await expect.poll(() => text(page, "#desk-phone-status"), WITHIN).toBe("idle");
      mock.deskPhone("2131").setDnd(true);
      await expect.poll(() => text(page, "#desk-phone-dnd"), WITHIN).toBe("on");
      // Presence follows the desk phone's DND; the routing settings are the user's defaults.
      await expect
        .poll(() => page.locator("#desk-phone-presence dd").allTextContents(), WITHIN)
        .toEqual(["on (desk-phone)", "free"]);
      expect(await page.locator("#desk-phone-routing dd").allTextContents()).toEqual([
        "default",
        "call-waiting",
      ]);

      // The PBX's mailbox reports messages: the voicemail panel shows the counts.
      await mock.mailbox("2131").set({ new: 2, old: 5 });
      await expect
        .poll(() => text(page, "#desk-phone-mwi p"), WITHIN)
        .toMatch(/^Messages waiting: 2 new \/ 5 old/);

      // The trace pane prints the CSTA exchanges as CSTA lines, not only as the INFOs that carry them.
      await expect
        .poll(() => text(page, "#trace"), WITHIN)
        .toMatch(/csta PBX ◀── connector ClearConnection \[tenant /);

      // An action the link refuses shows the emulator's problem: the CTI link refused by a fault.
      await http.admin("POST", "/api/admin/faults", {
        layer: "csta",
        match: { service: "SetDoNotDisturb" },
        action: { type: "error", category: "operation", value: "requestIncompatibleWithObject" },
      });
      await page.click("#desk-phone-dnd-off");
      await expect
        .poll(() => text(page, "#desk-phone-outcome"), WITHIN)
        .toMatch(/^DND off: .*requestIncompatibleWithObject.*\(502 cti_refused\)$/);
      expect(await text(page, "#desk-phone-dnd")).toBe("on");
      expect(errors.filter((e) => !/502/.test(e))).toEqual([]);

      // The console's call list has the desk-phone call; opened, it lists its CSTA exchanges.
      await page.goto(`${emulator.urls.https}/`);
      const deskCall = page.locator("tr.call", { hasText: "004989700" }).first();
      await deskCall.click();
      await expect
        .poll(() => page.locator("tr.call-details:not([hidden]) ul.cti li").allTextContents(), WITHIN)
        .toEqual(expect.arrayContaining([expect.stringMatching(/CSTA connector → PBX AnswerCall/)]));
      expect(await text(page, "tr.call-details:not([hidden]) .ladder > p.muted")).toMatch(
        /desk phone only \(CSTA\)/,
      );
    } finally {
      await context.close();
    }
  });
});
