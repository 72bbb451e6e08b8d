import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { CHROMIUM, HAS_CHROMIUM, launchChromium, NETWORK_CHANGED, openApp } from "../support/chromium.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";

if (!HAS_CHROMIUM) console.warn(`unmatched-web-ui: ${CHROMIUM} not found: browser test skipped`);

const TOKEN = "unmatched-web-ui-admin";
const WITHIN = { timeout: 6000, interval: 100 };
/** What a hostile PBX could put into a header: it must reach the page as text and run nothing. */
const INJECTED = `<img src=x onerror="window.__pwned=true">`;

let emulator: EmulatorHandle;
let browser: Browser;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  [emulator, browser] = await Promise.all([startTestEmulator({ adminToken: TOKEN }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await emulator?.close();
});

describe.skipIf(!HAS_CHROMIUM)("the Unmatched list of the operator console", () => {
  it("shows captured HTTP and SIP requests as they come (live events), redacted, as text; clear empties it", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().includes(NETWORK_CHANGED)) errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => void (d.type() === "confirm" ? d.accept() : d.dismiss()));
    const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    try {
      await openApp(page, `${emulator.urls.https}/`);
      await page.fill("#token", TOKEN);
      await page.click("#login-form button[type=submit]");
      await expect
        .poll(() => page.locator("#unmatched").textContent(), WITHIN)
        .toContain("Nothing unmatched");
      // Events, not polls, bring the rows: with the stream live the page does not poll.
      await expect.poll(() => page.locator("#poll-state").textContent(), WITHIN).toBe("live");

      const http = httpClient(emulator);
      const res = await http.call("POST", "/api/connector/v9/unknown?x=1", {
        headers: { "x-api-key": "secret-key-material" },
        body: { password: "pw-in-body" },
      });
      expect(res.status).toBe(404);
      const rows = page.locator("#unmatched tr.unmatched");
      await expect.poll(() => rows.count(), WITHIN).toBe(1);
      const httpRow = page.locator(`#unmatched tr[data-unmatched-id="${res.body.unmatchedId}"]`);
      expect(await httpRow.textContent()).toContain("/api/connector/v9/unknown?x=1");
      await httpRow.locator("summary").click();
      const shown = await httpRow.locator("pre").textContent();
      expect(shown).toContain("x-api-key: …(redacted, 19 chars)");
      expect(shown).toContain('"password":"…(redacted, 10 chars)"');
      expect(shown).not.toContain("secret-key-material");

      const message = [
        "MESSAGE sip:+4923026672131@phoneapp.unify.com SIP/2.0",
        `Via: SIP/2.0/TLS 127.0.0.1:${pbx.port};branch=z9hG4bKweb1`,
        "Max-Forwards: 70",
        `From: <sip:${TRUNK.username}@phoneapp.unify.com>;tag=web1`,
        "To: <sip:+4923026672131@phoneapp.unify.com>",
        "Call-ID: unmatched-web-1",
        "CSeq: 1 MESSAGE",
        `Subject: ${INJECTED}`,
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
      expect((await pbx.client.request(message)).status).toBe(405);
      await expect.poll(() => rows.count(), WITHIN).toBe(2);
      const sipRow = rows.first();
      expect(await sipRow.textContent()).toContain("MESSAGE");
      await sipRow.locator("summary").click();
      expect(await sipRow.locator("pre").textContent()).toContain(`Subject: ${INJECTED}`);
      expect(await page.locator("#unmatched img").count()).toBe(0);
      expect(await page.evaluate<unknown>("window.__pwned")).toBeUndefined();

      await page.click("#unmatched button.danger");
      await expect
        .poll(() => page.locator("#unmatched").textContent(), WITHIN)
        .toContain("Nothing unmatched");
      expect((await http.admin("GET", "/api/admin/unmatched")).body).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      pbx.client.close();
      await context.close();
    }
  });
});
