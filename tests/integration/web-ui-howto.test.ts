import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import { EmulatorApiError } from "../../src/rest-client/index.js";
import { CHROMIUM, HAS_CHROMIUM, launchChromium, NETWORK_CHANGED, openApp } from "../support/chromium.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

/**
 * The HowTo's admin chapter, followed in the browser as a person would: create a tenant, copy its
 * API key into (a mock) OpenScape Business, watch the connector turn Available, import users,
 * regenerate the key, set a Unify Video tenant's JWT and watch it expire on the emulator clock.
 * Each step leaves a screenshot in test-artifacts/howto/ (git-ignored; two are in docs/img/).
 */

if (!HAS_CHROMIUM) {
  console.warn(`web-ui-howto: ${CHROMIUM} not found (apt-get install chromium): HowTo browser test skipped`);
}

const TOKEN = "web-ui-howto-admin";
/** The page refreshes its views every 2 s: what changes elsewhere shows within a few refreshes. */
const WITHIN = { timeout: 8000, interval: 100 };
const ARTIFACTS = new URL("../../test-artifacts/howto/", import.meta.url);
const NUMBERING = {
  schema: "international",
  countryCode: "49",
  areaCode: "2302",
  pabxNumber: "667",
} as const;

/** Row 3 has a bad e-mail address and row 4 an unknown locale: the import must refuse the whole file. */
const BAD_CSV = [
  "emailAddress,firstName,lastName,locale,callno",
  "albert.admin@aptg.info,Albert,Admin,de-DE,2131",
  "berta.not-an-address,Berta,Bauer,de-DE,2132",
  "chloe.martin@aptg.info,Chloé,Martin,xx-XX,2133",
].join("\r\n");
const GOOD_CSV = [
  "\uFEFFemailAddress,firstName,lastName,locale,callno",
  "albert.admin@aptg.info,Albert,Admin,de-DE,2131",
  "berta.bauer@aptg.info,Berta,Bauer,de-DE,2132",
  "chloe.martin@aptg.info,Chloé,Martin,fr-FR,2133",
].join("\r\n");

/** The JSON import (OpenScape Voice / 4000 style) of one known user with another locale. */
const CHLOE_IN_ITALIAN = {
  emailAddress: "chloe.martin@aptg.info",
  firstName: "Chloé",
  lastName: "Martin",
  locale: "it-IT",
};

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let browser: Browser;
let mock: MockOsbiz | undefined;
const mockLog: string[] = [];
let files: string;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  files = mkdtempSync(path.join(tmpdir(), "upe-howto-"));
  writeFileSync(path.join(files, "users-with-errors.csv"), BAD_CSV);
  writeFileSync(path.join(files, "users.csv"), GOOD_CSV);
  writeFileSync(path.join(files, "users.json"), JSON.stringify({ users: [CHLOE_IN_ITALIAN] }));
  [emulator, browser] = await Promise.all([
    startTestEmulator({ adminToken: TOKEN, seedText: "tenants: []\n", rtpPorts: { min: 53400, max: 53499 } }),
    launchChromium(),
  ]);
  http = httpClient(emulator);
});

afterAll(async () => {
  await mock?.stop();
  await browser?.close();
  await emulator?.close();
});

function startMock(apiKey: string): Promise<MockOsbiz> {
  return MockOsbiz.start({
    url: emulator.urls.https,
    apiKey,
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-howto",
    name: "OSBiz HowTo",
    numbering: NUMBERING,
    rtp: { bind: "127.0.0.1", portRange: { min: 53500, max: 53599 } },
    log: (line) => mockLog.push(line),
  });
}

const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();
const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).textContent()) ?? "").trim();
/** Each row's cells, their rendered text joined by one space (textContent runs the cells together). */
const rows = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((trs) =>
    trs.map((tr) =>
      // innerText as a shape: this file is compiled without the DOM library.
      Array.from(tr.querySelectorAll("td"), (td) => (td as unknown as { innerText: string }).innerText)
        .map((cell) => cell.replace(/\s+/g, " ").trim())
        .join(" "),
    ),
  );

let shot = 0;
/** The viewport as the reader sees it, scrolled to `show` when given. */
async function screenshot(page: Page, step: string, show?: string): Promise<void> {
  if (show) await page.locator(show).scrollIntoViewIfNeeded();
  shot += 1;
  const name = `${String(shot).padStart(2, "0")}-${step}.png`;
  await page.screenshot({ path: new URL(name, ARTIFACTS).pathname });
}

/** The emulator clock's now, as the portal form's "datetime-local" value `days` later (UTC). */
async function emulatorDaysLater(days: number): Promise<string> {
  const now = Date.parse((await http.admin("GET", "/api/admin/clock")).body.now);
  return new Date(now + days * 86_400_000).toISOString().slice(0, 16);
}

describe.skipIf(!HAS_CHROMIUM)("the HowTo's admin chapter in the browser", () => {
  it("tenant → API key → connector Available → import users → regenerate key → JWT expires on the clock", async () => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1200, height: 760 },
      permissions: ["clipboard-read", "clipboard-write"],
    });
    const page = await context.newPage();
    const errors: string[] = [];
    const dialogs: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      // A load lost to a network change is tried again (openApp); the browser reports the loss itself.
      if (m.type() === "error" && !m.text().includes(NETWORK_CHANGED)) errors.push(m.text());
    });
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.accept();
    });

    // Log in, open the admin app's tenant list, create the tenant.
    await openApp(page, `${emulator.urls.https}/`);
    await page.fill("#token", TOKEN);
    await page.click("#login-form button[type=submit]");
    await page.click('#nav a[data-view="tenants"]');
    await page.waitForSelector("#create-tenant");
    await page.fill("#new-tenant-name", "Acme");
    await page.selectOption("#new-tenant-flavour", "openscape");
    await page.click("#create-tenant button[type=submit]");
    await page.waitForSelector("#api-key");
    const acme = (await http.admin("GET", "/api/admin/tenants")).body.find(
      (t: { name: string }) => t.name === "Acme",
    );
    expect(page.url()).toBe(`${emulator.urls.https}/#/tenants/${acme.id}/connector`);
    expect(await text(page, "#tenant-name")).toBe("Acme");
    expect(await texts(page, ".tabs a")).toEqual(["Telephony connector", "Users"]);
    await expect.poll(() => text(page, "#connectors"), WITHIN).toMatch(/No telephony connector yet/);

    // The key is shown masked; "copy" puts the whole key on the clipboard.
    const masked = await text(page, "#api-key");
    expect(masked).not.toContain(acme.apiKey);
    expect(masked.endsWith(acme.apiKey.slice(-4))).toBe(true);
    await page.click("#copy-api-key");
    await expect
      .poll(() => page.evaluate<string>("navigator.clipboard.readText()"), WITHIN)
      .toBe(acme.apiKey);
    const copiedKey = await page.evaluate<string>("navigator.clipboard.readText()");
    await screenshot(page, "tenant-created-key-copied");

    // OpenScape Business runs the connectivity wizard with the copied key: the page turns Available by
    // itself, from the live event stream (its safety-net poll comes only every 30 s).
    await page.waitForSelector('#poll-state[data-state="live"]');
    mock = await startMock(copiedKey);
    expect(mock.system.trunkId).toBe("gtc-001");
    await expect
      .poll(() => rows(page, "tr.telephony-connector"), WITHIN)
      .toEqual([expect.stringMatching(/^gtc-001 OSBIZ ● Available osbiz-howto /)]);
    await screenshot(page, "connector-available");

    // Users tab: a CSV with two bad rows is refused as a whole, each problem in the table.
    await page.click('.tabs a[data-tab="users"]');
    await page.waitForSelector('#import-trunk option[value="gtc-001"]', { state: "attached" });
    await page.setInputFiles("#import-file", path.join(files, "users-with-errors.csv"));
    await page.selectOption("#import-trunk", "gtc-001");
    await page.click("#import-submit");
    await page.waitForSelector("tr.import-error");
    expect(await text(page, "#import-outcome p.error")).toMatch(/^Nothing was imported\./);
    const problems = await page
      .locator("tr.import-error")
      .evaluateAll((trs) =>
        trs.map((tr) =>
          Array.from(tr.querySelectorAll("td"), (td) => (td as { textContent: string | null }).textContent),
        ),
      );
    expect(problems.map(([row, field]) => [row, field])).toEqual([
      ["3", "emailAddress"],
      ["4", "locale"],
    ]);
    const listed = async () =>
      (await http.admin("GET", `/api/admin/tenants/${acme.id}/users?limit=100`)).body.items.map(
        (u: { emailAddress: string }) => u.emailAddress,
      );
    expect(await listed()).toEqual([expect.stringMatching(/^admin@/)]);
    await screenshot(page, "import-refused-with-row-errors", "#import-outcome");

    // The fixed file (saved by Excel as "CSV UTF-8": BOM, CRLF, non-ASCII names): a dry run first.
    await page.setInputFiles("#import-file", path.join(files, "users.csv"));
    await page.check("#import-dry-run");
    await page.click("#import-submit");
    await expect
      .poll(() => text(page, "#import-outcome"), WITHIN)
      .toBe("Dry run, nothing imported: 3 created, 0 updated, 0 unchanged.");
    expect(await listed()).toHaveLength(1);
    await page.uncheck("#import-dry-run");
    await page.click("#import-submit");
    await expect
      .poll(() => text(page, "#import-outcome"), WITHIN)
      .toBe("Imported: 3 created, 0 updated, 0 unchanged.");
    await expect
      .poll(() => rows(page, "tr.user"), WITHIN)
      .toEqual([
        "Administrator Acme admin@acme.example Administrator — — call behaviour",
        "Albert Admin albert.admin@aptg.info User gtc-001 +4923026672131 call behaviour desk phone",
        "Berta Bauer berta.bauer@aptg.info User gtc-001 +4923026672132 call behaviour desk phone",
        "Chloé Martin chloe.martin@aptg.info User gtc-001 +4923026672133 call behaviour desk phone",
      ]);
    expect(await text(page, "#users-range")).toBe("1–4 of 4");
    await screenshot(page, "users-imported", "#user-list");

    // A JSON file updates the user it names.
    await page.setInputFiles("#import-file", path.join(files, "users.json"));
    await page.click("#import-submit");
    await expect
      .poll(() => text(page, "#import-outcome"), WITHIN)
      .toBe("Imported: 0 created, 1 updated, 0 unchanged.");
    const chloe = await http.admin("GET", `/api/admin/tenants/${acme.id}/users?search=chloe`);
    expect(chloe.body.items[0].locale).toBe("it-IT");

    // Search, then change Berta's call behaviour: busy.
    await page.fill("#user-search", "bauer");
    await expect.poll(() => texts(page, "tr.user"), WITHIN).toHaveLength(1);
    await page.click('tr.user[data-email="berta.bauer@aptg.info"] button.edit-user');
    // The open row lists who would ring: no client registered yet.
    await expect.poll(() => page.textContent(".registered-clients"), WITHIN).toMatch(/No client registered/);
    await page.selectOption("#cb-mode", "busy");
    await page.click(".call-behaviour button[type=submit]");
    await expect
      .poll(async () => {
        const users = await http.admin("GET", `/api/admin/tenants/${acme.id}/users?search=bauer`);
        return users.body.items[0].callBehaviour.mode;
      }, WITHIN)
      .toBe("busy");

    // The OSBiz user wizard's "Create" (REST, with the key) adds a user: the open list shows it.
    await page.fill("#user-search", "");
    await mock.createUser({
      callno: "2134",
      emailAddress: "dora.diaz@aptg.info",
      firstName: "Dora",
      lastName: "Diaz",
    });
    await expect.poll(() => text(page, "#users-range"), WITHIN).toBe("1–5 of 5");

    // Regenerate the key, after the warning that the old one stops working.
    await page.click('.tabs a[data-tab="connector"]');
    await page.waitForSelector("#regenerate-api-key");
    await page.click("#regenerate-api-key");
    await expect.poll(() => dialogs.at(-1), WITHIN).toMatch(/old key stops working/);
    await expect.poll(() => text(page, "#api-key"), WITHIN).not.toBe(masked);
    await page.click("#copy-api-key");
    await expect
      .poll(() => page.evaluate<string>("navigator.clipboard.readText()"), WITHIN)
      .not.toBe(copiedKey);
    const newKey = await page.evaluate<string>("navigator.clipboard.readText()");
    expect((await http.admin("GET", `/api/admin/tenants/${acme.id}/api-key`)).body.apiKey).toBe(newKey);
    await screenshot(page, "api-key-regenerated");

    // OSBiz still holds the old key: its next REST request (the user wizard's "Create") fails,
    // and so would the connectivity wizard's configuration. The SIP trunk itself stays registered.
    const edda = { callno: "2135", emailAddress: "edda.ek@aptg.info", firstName: "Edda", lastName: "Ek" };
    const refused = await mock.createUser(edda).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EmulatorApiError);
    expect(refused).toMatchObject({ status: 401, code: "api_key_invalid" });
    const reconfigured = await startMock(copiedKey).catch((error: unknown) => error);
    expect(reconfigured).toMatchObject({ status: 401, code: "api_key_invalid" });
    expect(mock.registered).toBe(true);

    // A Unify Video tenant: its JWT tab starts at "Not set".
    await page.click('#nav a[data-view="tenants"]');
    await page.fill("#new-tenant-name", "Vidco");
    await page.selectOption("#new-tenant-flavour", "video");
    await page.click("#create-tenant button[type=submit]");
    await page.waitForSelector('.tabs a[data-tab="jwt"]');
    await page.click('.tabs a[data-tab="jwt"]');
    await expect.poll(() => text(page, "#jwt-status .badge"), WITHIN).toBe("Not set");
    expect(await text(page, "#jwt-status .jwt-meaning")).toMatch(/will not be functional/);
    await screenshot(page, "jwt-not-set");

    // The emulated portal: a token for the tenant's client ID, 60 days on the emulator clock.
    const clientId = await text(page, "#client-id");
    await page.click("#portal-link");
    await page.waitForSelector("#portal-form");
    expect(await page.inputValue("#portal-client-id")).toBe(clientId);
    await page.fill("#portal-label", "howto");
    await page.fill("#portal-expires", await emulatorDaysLater(60));
    await page.click("#portal-form button[type=submit]");
    await page.waitForSelector("#portal-token-text");
    const jwt = await page.inputValue("#portal-token-text");
    expect(jwt.split(".")).toHaveLength(3);
    await expect.poll(() => texts(page, "tr.portal-token td:first-child"), WITHIN).toEqual(["howto"]);
    await screenshot(page, "portal-token-created");

    // Paste it into the tenant's JWT tab: Active.
    await page.goBack();
    await page.waitForSelector("#jwt-token");
    await page.fill("#jwt-token", jwt);
    await page.click("#set-jwt");
    await expect.poll(() => text(page, "#jwt-status .badge"), WITHIN).toBe("Active");
    expect(await text(page, "#set-jwt")).toBe("replace JWT");
    expect(await page.locator("#jwt-status").innerText()).toMatch(
      /^Active The JWT is valid\. Unify Phone is functional\.\s+Label\s+howto\s+Expires \(UTC\)\s+\d{4}-\d\d-\d\d \d\d:\d\d:00\s+Set \(UTC\)\s+\S+ \S+$/,
    );
    await screenshot(page, "jwt-active");

    // The emulator clock moves on (REST): 28 days left is Expiring, then Expired.
    await http.admin("POST", "/api/admin/clock/advance", { by: "32d" });
    await expect.poll(() => text(page, "#jwt-status .badge"), WITHIN).toBe("Expiring");
    expect(await text(page, "#jwt-status .jwt-meaning")).toMatch(/still functional/);
    await screenshot(page, "jwt-expiring");
    await http.admin("POST", "/api/admin/clock/advance", { by: "28d" });
    await expect.poll(() => text(page, "#jwt-status .badge"), WITHIN).toBe("Expired");
    expect(await text(page, "#jwt-status .problems")).toMatch(/JWT expired/);
    await screenshot(page, "jwt-expired");

    expect(dialogs).toEqual([expect.stringMatching(/^Regenerate the API key\?/)]);
    // The browser reports the refused import (422) itself; nothing else may go wrong.
    expect(errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
    await context.close();
  }, 60_000);

  it("opens a tab from its address, pages and searches the users, and shows why a JWT is refused", async () => {
    const tenant = (await http.admin("POST", "/api/admin/tenants", { name: "Pager", flavour: "openscape" }))
      .body;
    for (let i = 1; i <= 30; i += 1) {
      const n = String(i).padStart(2, "0");
      const user = { emailAddress: `u${n}@pager.test`, firstName: "User", lastName: `Zeta${n}` };
      expect((await http.admin("POST", `/api/admin/tenants/${tenant.id}/users`, user)).status).toBe(201);
    }
    const video = (await http.admin("POST", "/api/admin/tenants", { name: "Vidpage", flavour: "video" }))
      .body;

    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1200, height: 760 },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    const dialogs: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await openApp(page, `${emulator.urls.https}/#/tenants/${tenant.id}/users`);
    await page.fill("#token", TOKEN);
    await page.click("#login-form button[type=submit]");
    await expect.poll(() => text(page, "#users-range"), WITHIN).toBe("1–25 of 31");
    expect(await page.isDisabled("#users-prev")).toBe(true);
    await page.click("#users-next");
    await expect.poll(() => text(page, "#users-range"), WITHIN).toBe("26–31 of 31");
    expect(await page.isDisabled("#users-next")).toBe(true);
    expect(await texts(page, "tr.user")).toHaveLength(6);
    await page.fill("#user-search", "zeta07");
    await expect
      .poll(() => rows(page, "tr.user"), WITHIN)
      .toEqual(["User Zeta07 u07@pager.test User — — call behaviour"]);
    expect(await text(page, "#users-range")).toBe("1–1 of 1");
    // A user added elsewhere (REST) shows up in the open list, from the live event stream.
    await page.waitForSelector('#poll-state[data-state="live"]');
    const late = { emailAddress: "u077@pager.test", firstName: "Late", lastName: "Zeta077" };
    expect((await http.admin("POST", `/api/admin/tenants/${tenant.id}/users`, late)).status).toBe(201);
    await expect.poll(() => text(page, "#users-range"), WITHIN).toBe("1–2 of 2");

    // Where the browser refuses the clipboard, "copy" shows the key and selects it for Ctrl+C.
    await page.goto(`${emulator.urls.https}/#/tenants/${tenant.id}/connector`);
    await page.evaluate(
      `Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new Error("denied")) } })`,
    );
    await page.click("#copy-api-key");
    await expect.poll(() => page.evaluate<string>("getSelection().toString()"), WITHIN).toBe(tenant.apiKey);
    expect(await text(page, "#api-key")).toBe(tenant.apiKey);
    expect(await text(page, "#notice")).toMatch(/press Ctrl\+C/);

    await page.goto(`${emulator.urls.https}/#/tenants/${video.id}/jwt`);
    await expect.poll(() => text(page, "#jwt-status .badge"), WITHIN).toBe("Not set");
    await page.fill("#jwt-token", "not.a-jwt");
    await page.click("#set-jwt");
    await expect.poll(() => text(page, "#jwt-error"), WITHIN).toMatch(/\(422 jwt_malformed\)$/);
    expect(await text(page, "#jwt-status .badge")).toBe("Not set");

    // A token set elsewhere and revoked in the portal: "Invalid token"; then removed: "Not set".
    const minted = await http.admin("POST", "/api/jwt-portal/tokens", {
      clientId: video.clientId,
      label: "to revoke",
    });
    await http.admin("PUT", `/api/admin/tenants/${video.id}/jwt`, { token: minted.body.token });
    await expect.poll(() => text(page, "#jwt-status .badge"), WITHIN).toBe("Active");
    await page.click("#portal-link");
    await page.click(`tr.portal-token[data-token-id="${minted.body.id}"] button`);
    await expect
      .poll(() => text(page, `tr.portal-token[data-token-id="${minted.body.id}"] td:nth-child(5)`), WITHIN)
      .toMatch(/^revoked \d{4}-/);
    await page.goBack();
    await expect.poll(() => text(page, "#jwt-status .badge"), WITHIN).toBe("Invalid token");
    await page.click("#remove-jwt");
    await expect.poll(() => text(page, "#jwt-status .badge"), WITHIN).toBe("Not set");
    expect(dialogs).toEqual([
      'Revoke the token "to revoke"? A tenant that set it turns to "Invalid token".',
      expect.stringMatching(/^Remove the JWT\?/),
    ]);

    // A read whose connection breaks before the answer is sent once more: the list still shows.
    let tries = 0;
    await page.route("**/api/admin/tenants?limit=1000", (route) => {
      tries += 1;
      return tries === 1 ? route.abort("connectionreset") : route.continue();
    });
    await page.click('#nav a[data-view="tenants"]');
    await expect.poll(() => texts(page, "tr.tenant-row td:first-child"), WITHIN).toContain("Pager");
    expect(tries).toBe(2);
    expect(await text(page, "#notice")).not.toMatch(/cannot be reached/);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
