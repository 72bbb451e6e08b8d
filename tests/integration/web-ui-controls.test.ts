import dgram from "node:dgram";
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";

const CHROMIUM = "/usr/bin/chromium";
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
  console.warn(`web-ui-controls: ${CHROMIUM} not found (apt-get install chromium): browser tests skipped`);
}

const TOKEN = "web-ui-controls-admin";
/** Events arrive at once and polls every 2 s: generous, never a speed claim. */
const WITHIN = { timeout: 8000, interval: 100 };
/** Back to the stream after it failed: the page retries with back-off (1 s, 2 s, 4 s …). */
const RECONNECT = { timeout: 20_000, interval: 200 };
const USER_NUMBER = "+4923026672131";

// The system id and trunk of the scenarios' seeds, so applying one updates this tenant.
const SEED = `
tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-mock
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - emailAddress: al@acme.test
        firstName: Al
        lastName: Ace
        locale: de-DE
        callno: "2131"
        phoneNumber: "${USER_NUMBER}"
        system: osbiz-mock
        callBehaviour: { mode: answer, ringMs: 0 }
`;

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let browser: Browser;
const pages: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  [emulator, browser] = await Promise.all([
    startTestEmulator({ adminToken: TOKEN, seedText: SEED, rtpPorts: { min: 48400, max: 48599 } }),
    chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
      ],
    }),
  ]);
  http = httpClient(emulator);
});

afterEach(async () => {
  await Promise.all(pages.splice(0).map((p) => p.close()));
  if (HAS_CHROMIUM) await http.admin("DELETE", "/api/admin/faults");
});

afterAll(async () => {
  await browser?.close();
  await emulator?.close();
});

/** The page, logged in; `before` runs before it loads (to route requests). Confirms are accepted. */
async function openPage(before?: (page: Page) => Promise<void>) {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 900 },
  });
  pages.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => void (d.type() === "confirm" ? d.accept() : d.dismiss()));
  await before?.(page);
  await page.goto(`${emulator.urls.https}/`);
  await page.fill("#token", TOKEN);
  await page.click("#login-form button[type=submit]");
  await expect.poll(() => page.locator("#dashboard").isVisible(), WITHIN).toBe(true);
  return { page, errors };
}

const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? "";
const liveState = (page: Page) => page.locator("#poll-state").getAttribute("data-state");
/** The page's way of showing a time: "YYYY-MM-DD HH:MM:SS" (UTC). */
const shown = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

// Each test drives a browser through several steps: room for a loaded machine (no speed claim).
describe.skipIf(!HAS_CHROMIUM)("web UI controls in Chromium", { timeout: 60_000 }, () => {
  it("follows the event stream: 'live' in the header, a connector turns available without a reload", async () => {
    const { page, errors } = await openPage();
    await expect.poll(() => liveState(page), WITHIN).toBe("live");
    expect(await text(page, "#poll-state")).toBe("live");
    await expect
      .poll(() => page.locator("tr.connector .badge").allTextContents(), WITHIN)
      .toEqual(["unavailable"]);
    const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    try {
      expect((await pbx.register()).status).toBe(200);
      await expect
        .poll(() => page.locator("tr.connector .badge").allTextContents(), WITHIN)
        .toEqual(["available"]);
    } finally {
      pbx.close();
    }
    await expect
      .poll(() => page.locator("tr.connector .badge").allTextContents(), WITHIN)
      .toEqual(["unavailable"]);
    expect(errors).toEqual([]);
  });

  it("freezes, advances (+1 h, +1 d, +30 d) and sets the emulator clock from the page", async () => {
    const { page, errors } = await openPage();
    await page.click("#clock-freeze");
    await expect.poll(() => text(page, "#clock-mode"), WITHIN).toBe("frozen");
    const frozen = (await http.admin("GET", "/api/admin/clock")).body;
    expect(frozen.frozen).toBe(true);
    await expect.poll(() => text(page, "#clock-now"), WITHIN).toBe(shown(frozen.epochMs));

    const HOUR = 3_600_000;
    await page.click('button[data-advance="1h"]');
    await expect.poll(() => text(page, "#clock-now"), WITHIN).toBe(shown(frozen.epochMs + HOUR));
    await page.click('button[data-advance="1d"]');
    await expect.poll(() => text(page, "#clock-now"), WITHIN).toBe(shown(frozen.epochMs + 25 * HOUR));
    await page.click('button[data-advance="30d"]');
    const advanced = frozen.epochMs + 25 * HOUR + 720 * HOUR;
    await expect.poll(() => text(page, "#clock-now"), WITHIN).toBe(shown(advanced));
    expect(await text(page, "#clock")).toContain(`emulator clock ${shown(advanced)} UTC · frozen`);
    expect((await http.admin("GET", "/api/admin/clock")).body.epochMs).toBe(advanced);

    await page.fill("#clock-set", "2030-01-02T03:04:05");
    await page.click("#clock-set-button");
    await expect.poll(() => text(page, "#clock-now"), WITHIN).toBe("2030-01-02 03:04:05");
    expect((await http.admin("GET", "/api/admin/clock")).body.now).toBe("2030-01-02T03:04:05.000Z");

    // A change made elsewhere reaches the page as an event.
    await http.admin("POST", "/api/admin/clock/advance", { by: "2h" });
    await expect.poll(() => text(page, "#clock-now"), WITHIN).toBe("2030-01-02 05:04:05");

    await page.click("#clock-freeze");
    await expect.poll(() => text(page, "#clock-mode"), WITHIN).toBe("running");
    expect((await http.admin("GET", "/api/admin/clock")).body.frozen).toBe(false);
    expect(errors).toEqual([]);
  });

  it("creates a fault rule from the form: the API's message beside the bad field, then the rule listed", async () => {
    const { page, errors } = await openPage();
    await page.click(".new-fault summary");
    await page.selectOption("#fault-layer", "sip");
    await page.selectOption("#fault-action-type", "respond");
    await page.fill("#fault-id", "form-options-503");
    await page.fill("#fault-match-method", "OPTIONS");
    await page.fill("#fault-action-status", "999");
    await page.click("#fault-create");
    const statusError = page.locator('[data-error-for="action.status"]');
    await expect.poll(() => statusError.textContent(), WITHIN).toBe("must be an integer from 200 to 699");
    expect(await page.locator("#fault-action-status").getAttribute("aria-invalid")).toBe("true");
    expect((await http.admin("GET", "/api/admin/faults")).body).toEqual([]);

    await page.fill("#fault-action-status", "503");
    await page.fill("#fault-action-retryAfter", "30");
    await page.click("#fault-create");
    await expect
      .poll(() => page.locator('tr.fault[data-fault-id="form-options-503"]').count(), WITHIN)
      .toBe(1);
    expect(await statusError.textContent()).toBe("");
    const [rule] = (await http.admin("GET", "/api/admin/faults")).body;
    expect(rule).toMatchObject({
      id: "form-options-503",
      layer: "sip",
      match: { method: "OPTIONS" },
      action: { type: "respond", status: 503, retryAfter: 30 },
    });

    // Another layer's fields; a problem the API names on a field of the rule's top level.
    await page.selectOption("#fault-layer", "rtp");
    await page.selectOption("#fault-action-type", "drop");
    await page.fill("#fault-id", "form-options-503");
    await page.fill("#fault-action-percent", "20");
    await page.click("#fault-create");
    await expect
      .poll(() => page.locator('[data-error-for="id"]').textContent(), WITHIN)
      .toBe('a fault with id "form-options-503" exists');
    expect(errors).toEqual([]);
  });

  it("lists the scenarios with symptom, cause and expected outcome, and shows what an apply did", async () => {
    const { page, errors } = await openPage();
    const card = page.locator('article.scenario[data-scenario="not-registered-firewall"]');
    await expect.poll(() => card.count(), WITHIN).toBe(1);
    expect(await card.locator(".symptom").textContent()).toMatch(/^Symptom: \S/);
    await card.locator("summary").click();
    await expect
      .poll(async () => (await card.locator(".cause").textContent()) ?? "", WITHIN)
      .toMatch(/^Cause: \S/);
    expect(await card.locator(".outcome").textContent()).toMatch(/^Expected outcome: \S/);

    await card.locator("button.apply").click();
    const applied = page.locator("#scenario-applied");
    await expect.poll(() => applied.isVisible(), WITHIN).toBe(true);
    expect(await applied.locator("h3").textContent()).toBe("Applied: not-registered-firewall");
    const rules = (await http.admin("GET", "/api/admin/faults")).body as { id: string }[];
    expect(rules.length).toBeGreaterThan(0);
    expect(
      await applied
        .locator("tr[data-fault-id]")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-fault-id"))),
    ).toEqual(rules.map((r) => r.id));
    // The rules it added are listed with the others, from the stream's `scenario` event.
    await expect.poll(() => page.locator("tr.fault").count(), WITHIN).toBe(rules.length);
    expect(errors).toEqual([]);
  });

  it("draws an opened call as an SVG sequence diagram: PBX and connector lanes, one arrow per SIP message", async () => {
    const { page, errors } = await openPage();
    const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    const rtp = dgram.createSocket("udp4");
    try {
      await new Promise<void>((resolve) => rtp.bind(0, "127.0.0.1", resolve));
      expect((await pbx.register()).status).toBe(200);
      const invite = pbx.sendInvite(USER_NUMBER, sdpOffer(rtp.address().port));
      const ok = await pbx.response(invite.callId, 200);
      pbx.ack(ok, invite);
      pbx.inDialog("BYE", ok);
      await pbx.response(invite.callId, 200, "BYE");
      const row = page.locator("tr.call").first();
      await expect.poll(() => row.locator(".badge").textContent(), WITHIN).toBe("ended");
      await row.click();
      const arrows = () =>
        page
          .locator("tr.call-details svg.ladder-svg g.arrow")
          .evaluateAll((gs) =>
            gs.map(
              (g) =>
                `${g.getAttribute("data-from")}→${g.getAttribute("data-to")} ${g.getAttribute("data-label")}`,
            ),
          );
      await expect.poll(async () => (await arrows()).length, WITHIN).toBeGreaterThan(0);
      const drawn = await arrows();
      expect(drawn[0]).toBe("pbx→connector INVITE");
      const order = [
        "pbx→connector INVITE",
        "connector→pbx 200 OK (1 INVITE)",
        "pbx→connector ACK",
        "pbx→connector BYE",
        "connector→pbx 200 OK (2 BYE)",
      ].map((arrow) => drawn.indexOf(arrow));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      const lanes = await page.locator("tr.call-details svg.ladder-svg .lane-title").allTextContents();
      expect(lanes).toEqual(["PBX", "connector", "client (virtual user)"]);
      // The journal's events are notes on the connector's lane.
      const notes = await page
        .locator("tr.call-details svg.ladder-svg g.note")
        .evaluateAll((gs) => gs.map((g) => g.getAttribute("data-event")));
      expect(notes[0]).toBe("invite");
      expect(notes.at(-1)).toBe("ended");
    } finally {
      rtp.close();
      pbx.close();
    }
    expect(errors).toEqual([]);
  });

  it("falls back to polling when the event stream fails, and goes live again once it is back", async () => {
    const failing = { on: true };
    const { page, errors } = await openPage(async (p) => {
      await p.route("**/api/admin/events", (route) =>
        failing.on ? route.abort("failed") : route.fallback(),
      );
    });
    await expect.poll(() => liveState(page), WITHIN).toBe("polling");
    expect(await text(page, "#poll-state")).toBe("polling every 2 s");
    // Still current: what changes shows up by polling.
    await http.admin("POST", "/api/admin/faults", {
      id: "while-polling",
      layer: "http",
      match: { path: "/nowhere" },
      action: { type: "close" },
    });
    await expect.poll(() => page.locator('tr.fault[data-fault-id="while-polling"]').count(), WITHIN).toBe(1);

    failing.on = false;
    await expect.poll(() => liveState(page), RECONNECT).toBe("live");
    await http.admin("DELETE", "/api/admin/faults/while-polling");
    await expect.poll(() => page.locator("tr.fault").count(), WITHIN).toBe(0);
    // Aborted requests are logged by the browser itself; the page's own code threw nothing.
    expect(errors).toEqual([]);
  });
});
