/**
 * The browser tests' Chromium and what every browser test does with it: open it, sign in, take
 * screenshots, check a page fits the screen. Without Chromium the tests are skipped, and say so;
 * with `CI` set they run anyway and fail, so a CI machine without a browser never passes by
 * skipping them.
 */
import assert from "node:assert/strict";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = Deno.env.get("FLEETMON_CHROMIUM") ?? "/usr/bin/chromium";

/** For `Deno.test({ ignore })`: true only when Chromium is missing and `CI` is not set. */
export async function withoutBrowser(): Promise<boolean> {
  const present = await Deno.stat(CHROMIUM).then(() => true, () => false);
  if (present) return false;
  if (Deno.env.get("CI")) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(`CI is set and ${CHROMIUM} is missing: the browser tests fail\n`),
    );
    return false;
  }
  Deno.stderr.writeSync(
    new TextEncoder().encode(
      `browser tests skipped: no ${CHROMIUM} (apt-get install chromium; with CI set they fail)\n`,
    ),
  );
  return true;
}

/** Chromium's flags for a quiet headless run in a container: no sandbox, GPU, QUIC or updates. */
const BROWSER_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser extends AsyncDisposable {
  context: BrowserContext;
  /** The first tab. */
  page: Page;
  /** Where screenshots go: FLEETMON_SCREENSHOT_DIR (kept) or the given fallback. */
  shots: string;
  /** Saves `name`.png of the page (the whole page unless told) and checks it is not blank. */
  shot(name: string, options?: { fullPage?: boolean; page?: Page }): Promise<void>;
}

/**
 * Headless Chromium with a profile of its own, accepting the tests' self-signed certificate.
 * Disposing it closes the browser and removes the profile.
 */
export async function openBrowser(
  options: { viewport: { width: number; height: number }; fallbackShots: string },
): Promise<Browser> {
  const shots = Deno.env.get("FLEETMON_SCREENSHOT_DIR") ?? options.fallbackShots;
  await Deno.mkdir(shots, { recursive: true });
  const profile = await Deno.makeTempDir({ prefix: "fleetmon-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: options.viewport,
    args: BROWSER_ARGS,
  });
  const page = context.pages()[0] ?? await context.newPage();
  return {
    context,
    page,
    shots,
    async shot(name, { fullPage = true, page: which = page } = {}) {
      const path = `${shots}/${name}.png`;
      await which.screenshot({ path, fullPage });
      assert.ok((await Deno.stat(path)).size > 10_000, `${name}.png looks blank`);
    },
    async [Symbol.asyncDispose]() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** Signs in with the form and waits to leave the sign-in page. */
export async function signIn(
  page: Page,
  base: string,
  who: { username: string; password: string },
) {
  await page.goto(`${base}login`);
  await page.fill('input[name="username"]', who.username);
  await page.fill('input[name="password"]', who.password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.endsWith("/login")),
    page.click('button[type="submit"]'),
  ]);
}

/**
 * The page's content may not be wider than the screen: tables and forms fit or scroll inside a
 * card. (The top bar is the layout's, checked by the layout's own test.)
 */
export async function assertFitsWidth(page: Page, what: string) {
  // Evaluated in the page, where `document` and `innerWidth` exist.
  const [scroll, inner] = await page.evaluate(
    "[document.querySelector('main').scrollWidth, innerWidth]",
  ) as [number, number];
  assert.ok(scroll <= inner, `${what}: ${scroll} px wide on a ${inner} px screen`);
}
