import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import {
  CHROMIUM,
  HAS_CHROMIUM,
  launchChromium,
  NETWORK_CHANGED,
  openApp,
  signOutPhone,
} from "../support/chromium.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";

// The browser phone (/phone) in a real Chromium with a fake microphone: sign-in, registration
// over wss://…/ws, a PBX call ringing in the page.

if (!HAS_CHROMIUM) {
  console.warn(`browser-phone: ${CHROMIUM} not found (apt-get install chromium): browser tests skipped`);
}

const AL_PASSWORD = "al-client-pass-1";
const AL_NUMBER = "+4923026672131";
const WITHIN = { timeout: 10_000, interval: 100 };
/** Screenshots of failed tests go here (the path is in the failure message). */
const SHOTS = mkdtempSync(join(tmpdir(), "browser-phone-"));

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let pbx: PbxTestUa;
let browser: Browser;
let tenantId: string;
let alId: string;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  [emulator, browser] = await Promise.all([
    startTestEmulator({
      seedText: acmeSeed().replace(
        'callno: "2131", system: osbiz-1 }',
        `callno: "2131", system: osbiz-1, clientPassword: "${AL_PASSWORD}" }`,
      ),
      rtpPorts: { min: 55400, max: 55499 },
    }),
    launchChromium([
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      "--autoplay-policy=no-user-gesture-required",
    ]),
  ]);
  http = httpClient(emulator);
  pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  tenantId = emulator.store.tenants.list()[0]!.id;
  alId = emulator.store.users.getByEmail(tenantId, "al@acme.test")!.id;
});

afterAll(async () => {
  pbx?.close();
  await browser?.close();
  await emulator?.close();
});

interface PhonePage {
  readonly page: Page;
  readonly errors: string[];
  close(): Promise<void>;
}

async function openPhone(): Promise<PhonePage> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 760, height: 560 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().includes(NETWORK_CHANGED)) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await openApp(page, `${emulator.urls.https}/phone`);
  const close = async () => {
    await signOutPhone(page, WITHIN.timeout);
    await context.close();
  };
  return { page, errors, close };
}

async function signIn(page: Page, user: string, password: string): Promise<void> {
  await page.fill("#tenant", "Acme");
  await page.fill("#user", user);
  await page.fill("#password", password);
  await page.click("#sign-in button[type=submit]");
}

/** Runs a test's steps; on failure a screenshot of the page is saved and its path added to the error. */
async function withScreenshot(phone: PhonePage, name: string, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (error) {
    const path = join(SHOTS, `${name}-${Date.now()}.png`);
    await phone.page.screenshot({ path, fullPage: true }).catch(() => {});
    throw withContext(error, `screenshot: ${path}; page errors: ${JSON.stringify(phone.errors)}`);
  }
}

/** The error with `context` added to its message; its own stack kept (not its fields: a call object is huge). */
function withContext(error: unknown, context: string): Error {
  const wrapped = new Error(`${error instanceof Error ? error.message : String(error)}\n${context}`);
  if (error instanceof Error && error.stack)
    wrapped.stack = `${wrapped.message}\n${error.stack.split("\n").slice(1).join("\n")}`;
  return wrapped;
}

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();

describe.skipIf(!HAS_CHROMIUM)("browser phone in Chromium", () => {
  it("refuses a wrong password on the page, then signs in and registers over wss as a browser client", {
    timeout: 60_000,
  }, async () => {
    const phone = await openPhone();
    await withScreenshot(phone, "sign-in", async () => {
      const { page } = phone;
      await signIn(page, "2131", "wrong-password-1");
      await expect.poll(() => text(page, "#sign-in-error"), WITHIN).toContain("no client password set");
      expect(await page.locator("#phone").isHidden()).toBe(true);
      // The browser reports the refused sign-in (401) as a failed load; nothing else may fail.
      phone.errors.length = 0;

      await signIn(page, "2131", AL_PASSWORD);
      await expect.poll(() => text(page, "#registration"), WITHIN).toBe("registered");
      expect(await text(page, "#me")).toBe(`Al Ace · ${AL_NUMBER}`);
      // The password stays in memory only: not in the form, not in storage.
      expect(await page.inputValue("#password")).toBe("");
      expect(await page.evaluate<number>("sessionStorage.length + localStorage.length")).toBe(0);

      // The admin's view of the user lists the page as a browser client on its WebSocket.
      const registrations = `/api/admin/tenants/${tenantId}/users/${alId}/registrations`;
      await expect
        .poll(async () => (await http.admin("GET", registrations)).body.registrations, WITHIN)
        .toEqual([
          expect.objectContaining({
            kind: "browser",
            userAgent: expect.stringMatching(/^UnifyPhoneEmulator-Browser \(SIP\.js [\d.]+\)$/),
            connection: expect.objectContaining({ transport: "WSS", remoteAddress: "127.0.0.1" }),
          }),
        ]);
      const entries = (await http.admin("GET", "/api/admin/trace")).body.entries as { message?: string }[];
      const agents = entries.flatMap((e) => /^User-Agent: (.*)$/m.exec(e.message ?? "")?.[1] ?? []);
      expect(agents).toContainEqual(expect.stringMatching(/^UnifyPhoneEmulator-Browser \(SIP\.js [\d.]+\)$/));

      // DND from the page is the connector's presence, set by the app.
      await page.check("#dnd");
      const presence = () =>
        http.admin("GET", `/api/admin/tenants/${tenantId}/users/${alId}/presence`).then((r) => r.body);
      await expect.poll(presence, WITHIN).toMatchObject({ dnd: true, dndSource: "app" });
      await page.uncheck("#dnd");
      await expect.poll(presence, WITHIN).toMatchObject({ dnd: false });

      // Signing out un-REGISTERs: the user has no client left, and the page shows the form again.
      await page.click("#sign-out");
      await expect
        .poll(async () => (await http.admin("GET", registrations)).body.registrations, WITHIN)
        .toEqual([]);
      await page.locator("#sign-in").waitFor({ state: "visible", timeout: WITHIN.timeout });
      expect(phone.errors).toEqual([]);
    });
    await phone.close();
  });

  it("rings for a PBX call to the user; Decline answers the PBX 486; the history lists the call", {
    timeout: 60_000,
  }, async () => {
    await http.admin("PATCH", `/api/admin/tenants/${tenantId}/users/${alId}`, {
      callBehaviour: { routing: "clients-only" },
    });
    const phone = await openPhone();
    await withScreenshot(phone, "decline", async () => {
      const { page } = phone;
      await signIn(page, "al@acme.test", AL_PASSWORD);
      await expect.poll(() => text(page, "#registration"), WITHIN).toBe("registered");

      const invite = pbx.sendInvite(AL_NUMBER, sdpOffer(4000));
      await expect.poll(() => page.locator("li.call[data-state=ringing]").count(), WITHIN).toBe(1);
      expect(await text(page, "li.call .party")).toContain(TRUNK.username);
      await page.click("li.call [data-action=decline]");
      const final = await pbx.response(invite.callId);
      pbx.ack(final, invite);
      expect(final.status).toBe(486);
      await expect.poll(() => page.locator("tr.history-row").count(), WITHIN).toBeGreaterThanOrEqual(1);
      expect(await text(page, "tr.history-row")).toContain("in");
      expect(phone.errors).toEqual([]);
    });
    await phone.close();
  });

  it("places a call: the PBX gets the INVITE for the dialled number; its 486 shows on the call", {
    timeout: 60_000,
  }, async () => {
    const phone = await openPhone();
    await withScreenshot(phone, "outgoing", async () => {
      const { page } = phone;
      await signIn(page, "2131", AL_PASSWORD);
      await expect.poll(() => text(page, "#registration"), WITHIN).toBe("registered");
      await page.fill("#number", "+49 2302 667-9999");
      await page.click("#call");
      const invite = await pbx.incoming("INVITE");
      expect(invite.requestUri.user).toBe("+4923026679999");
      // Media anchored: plain RTP from the connector's address, nothing of the browser's WebRTC offer.
      const sdp = invite.body.toString();
      expect(sdp).toMatch(/^m=audio \d+ RTP\/AVP /m);
      expect(sdp).toMatch(/^c=IN IP4 127\.0\.0\.1\r?$/m);
      expect(sdp).not.toMatch(/a=(candidate|ice-ufrag|fingerprint)/);
      await expect.poll(() => page.locator("li.call[data-state=calling]").count(), WITHIN).toBe(1);
      pbx.respond(invite, 486, "Busy Here");
      await expect.poll(() => text(page, "li.call .note"), WITHIN).toBe("486 Busy Here");
      await expect.poll(() => page.locator("li.call[data-state=ended]").count(), WITHIN).toBe(1);
      expect(phone.errors).toEqual([]);
    });
    await phone.close();
  });

  it("a dropped WebSocket: the page connects again and registers anew", { timeout: 60_000 }, async () => {
    const phone = await openPhone();
    const registrations = `/api/admin/tenants/${tenantId}/users/${alId}/registrations`;
    const clients = async () =>
      (await http.admin("GET", registrations)).body.registrations as { connection: { remotePort: number } }[];
    await withScreenshot(phone, "reconnect", async () => {
      const { page } = phone;
      await signIn(page, "2131", AL_PASSWORD);
      await expect.poll(() => text(page, "#registration"), WITHIN).toBe("registered");
      const [before] = await clients();
      // The emulator closes the page's connection when its next INVITE arrives (once).
      const fault = await http.admin("POST", "/api/admin/faults", {
        id: "close-browser-ws",
        layer: "sip",
        match: { direction: "in", method: "INVITE", user: alId },
        action: { type: "close" },
        when: { firstN: 1 },
      });
      expect(fault.status).toBe(201);
      await page.fill("#number", "+4923026679999");
      await page.click("#call");
      await expect
        .poll(
          async () => (await clients()).map((c) => c.connection.remotePort !== before!.connection.remotePort),
          WITHIN,
        )
        .toEqual([true]);
      await expect.poll(() => text(page, "#registration"), WITHIN).toBe("registered");
    });
    await http.admin("DELETE", "/api/admin/faults/close-browser-ws");
    await phone.close();
  });
});
