import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium, driven by playwright-core; browser tests skip (with a line saying so) without it. */
export const CHROMIUM = "/usr/bin/chromium";
export const HAS_CHROMIUM = existsSync(CHROMIUM);

/** `extraArgs`: e.g. the fake microphone flags of the browser phone tests. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...extraArgs,
    ],
  });
}

/** What Chromium says when it aborted a request because an interface of the host came or went. */
export const NETWORK_CHANGED = "ERR_NETWORK_CHANGED";

/**
 * Loads a page and its modules. Chromium aborts what is in flight with ERR_NETWORK_CHANGED when
 * the host's interfaces change (a container started by another suite, say): a load that lost any
 * request that way is tried again, at most five times.
 */
export async function openApp(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const lost: string[] = [];
    const onFailed = (r: { url(): string; failure(): { errorText: string } | null }) => {
      if (r.failure()?.errorText.includes(NETWORK_CHANGED)) lost.push(r.url());
    };
    page.on("requestfailed", onFailed);
    const loaded = await page.goto(url, { waitUntil: "load" }).then(
      () => true,
      (error: Error) => {
        if (!error.message.includes(NETWORK_CHANGED)) throw error;
        return false;
      },
    );
    page.off("requestfailed", onFailed);
    if (loaded && lost.length === 0) return;
    if (attempt === 5)
      throw new Error(`the page would not load: network changed 5 times (${lost.join(", ")})`);
  }
}

/**
 * Signs the browser phone out if it is signed in, so its closed page leaves no binding to fork
 * to. A sign-out already under way (a test's own) can hide the button before this click lands:
 * then there is nothing to click, and the sign-in form shows either way.
 */
export async function signOutPhone(page: Page, timeoutMs: number): Promise<void> {
  if (!(await page.locator("#sign-out").isVisible())) return;
  await page
    .locator("#sign-out")
    .click({ timeout: 2000 })
    .catch(() => {});
  await page.locator("#sign-in").waitFor({ state: "visible", timeout: timeoutMs });
}
