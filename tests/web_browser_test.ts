/**
 * A person's view: Chromium (playwright-core, /usr/bin/chromium) signs in on a real web node over
 * HTTPS, sees a seeded device's last reading, and sees the table update by itself when a new
 * reading is written; then opens the device page and its uPlot chart. Screenshots are saved to
 * a temp directory (FLEETMON_SCREENSHOT_DIR keeps them) for a human to look at.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { openCluster, seed, startWebProcess, USER, writeReading } from "./_web_support.ts";

const CHROMIUM = "/usr/bin/chromium";

Deno.test({
  name: "a user signs in with a browser and watches a device's readings arrive live",
  ignore: !(await Deno.stat(CHROMIUM).then(() => true, () => false)),
  async fn() {
    await using cluster = await openCluster();
    await seed(cluster.database, "boiler-7", 20, "cs1");
    await using ws0 = await startWebProcess({
      node: "ws0",
      cwd: await cluster.nodeDir("ws0"),
      uri: cluster.uri,
    });
    const shots = Deno.env.get("FLEETMON_SCREENSHOT_DIR") ?? `${cluster.dir}/shots`;
    await Deno.mkdir(shots, { recursive: true });
    const profile = await Deno.makeTempDir({ prefix: "fleetmon-chromium-" });
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 720 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = browser.pages()[0] ?? await browser.newPage();
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));

      const base = `https://localhost:${ws0.port}/`;
      await page.goto(base);
      assert.equal(new URL(page.url()).pathname, "/login", "signed out: the sign-in page");
      await page.screenshot({ path: `${shots}/login.png` });
      await page.fill('input[name="username"]', USER.username);
      await page.fill('input[name="password"]', "wrong password");
      await page.click('button[type="submit"]');
      assert.match(await page.locator(".error").innerText(), /Wrong username or password/);
      assert.deepEqual(problems, [
        "Failed to load resource: the server responded with a status of 401 ()",
      ]);
      problems.length = 0; // that 401 was the point; from here on, no error is expected
      await page.fill('input[name="password"]', USER.password);
      await Promise.all([page.waitForURL(/\/overview$/), page.click('button[type="submit"]')]);
      await Promise.all([page.waitForURL(/\/devices$/), page.click('nav a[href="./devices"]')]);

      const row = page.locator('#devices tr[data-id="boiler-7"]');
      assert.match(
        await row.innerText(),
        /boiler-7[\s\S]*Boiler boiler-7[\s\S]*temp 80[\s\S]*cs1/,
      );
      await page.locator('#live[data-state="open"]').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: `${shots}/devices-before.png` });

      await writeReading(cluster.database, "boiler-7", 21, { temp: 123.5, pressure: 2 }, "cs0");
      await row.locator(".metric", { hasText: "123.5" }).waitFor({ timeout: 10_000 });
      const updated = await row.innerText();
      assert.match(updated, /temp 123\.5/);
      assert.match(updated, /cs0/);
      await page.screenshot({ path: `${shots}/devices-live.png` });

      await Promise.all([page.waitForURL(/\/devices\/boiler-7$/), row.locator("a").click()]);
      await page.locator('#chart .chart[data-metric="pressure"] canvas').waitFor({
        timeout: 10_000,
      });
      assert.equal(await page.locator("#chart canvas").count(), 2, "one chart per metric");
      assert.equal(await page.locator("#readings tbody tr").count(), 21);
      assert.match(await page.locator('.chart[data-metric="temp"] .u-legend').innerText(), /temp/);
      await page.screenshot({ path: `${shots}/device.png`, fullPage: true });

      await Promise.all([page.waitForURL(/\/cluster$/), page.click('nav a[href="../cluster"]')]);
      await page.locator('#nodes tr[data-id="ws0"]').waitFor({ timeout: 10_000 });
      assert.match(await page.locator('#nodes tr[data-id="ws0"]').innerText(), /web[\s\S]*alive/);
      await page.screenshot({ path: `${shots}/cluster.png` });

      await Promise.all([page.waitForURL(/\/login$/), page.click(".logout button")]);
      assert.deepEqual(problems, [], "no console errors (a CSP violation would show here)");
      for (const name of ["login", "devices-before", "devices-live", "device", "cluster"]) {
        assert.ok((await Deno.stat(`${shots}/${name}.png`)).size > 10_000, name);
      }
    } finally {
      await browser.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    }
  },
});
