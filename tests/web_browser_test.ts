/**
 * A person's view, in headless Chromium (playwright-core, /usr/bin/chromium) through lb(web) over
 * HTTPS to a real web node: sign in and land on the fleet overview; search the device list and
 * watch a row update live; open a device, see its charts grouped with units and its outage as a
 * gap, pick time ranges (each asks the series API for exactly that range, one request at a time,
 * and the export links follow). Screenshots at desktop (1366 px) and phone (390 px) width are saved to a temp
 * directory (FLEETMON_SCREENSHOT_DIR keeps them) for a human to look at.
 */
import assert from "node:assert/strict";
import { openBrowser, withoutBrowser } from "./_browser.ts";
import { freePort } from "@fleetmon/shared/socket";
import { delay } from "@fleetmon/shared/delay";
import {
  eventually,
  openCluster,
  seed,
  startLbWeb,
  startWebProcess,
  USER,
  writeReading,
} from "./_web_support.ts";
import { seedHistory, seedProductFleet } from "./_product_fleet.ts";

Deno.test({
  name: "a user signs in, reads the overview, searches the list, opens a device and picks ranges",
  ignore: await withoutBrowser(),
  async fn() {
    await using cluster = await openCluster();
    await seed(cluster.database, "boiler-7", 3, "cs1");
    await seedProductFleet(cluster.database.db);
    await seedHistory(cluster.database.db, "boiler-7");
    await using ws0 = await startWebProcess({
      node: "ws0",
      cwd: await cluster.nodeDir("ws0"),
      uri: cluster.uri,
    });
    const lbPort = freePort();
    await using _lb = await startLbWeb({
      listen: `127.0.0.1:${lbPort}`,
      backends: [`ws0=${ws0.addr}`],
    });
    await using browser = await openBrowser({
      viewport: { width: 1366, height: 900 },
      fallbackShots: `${cluster.dir}/shots`,
    });
    const { page } = browser;
    try {
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      const failures: string[] = [];
      page.on("response", (response) => {
        if (response.status() >= 400) failures.push(response.url());
      });

      // Sign in through lb(web): the overview is the landing page.
      const base = `https://localhost:${lbPort}/`;
      await page.goto(base);
      assert.equal(new URL(page.url()).pathname, "/login", "signed out: the sign-in page");
      await page.fill('input[name="username"]', USER.username);
      await page.fill('input[name="password"]', USER.password);
      await Promise.all([page.waitForURL(/\/overview$/), page.click('button[type="submit"]')]);
      await page.locator('#live[data-state="open"]').waitFor({ timeout: 10_000 });
      const number = async (field: string) =>
        Number(
          (await page.locator(`[data-field="${field}"]`).first().innerText()).replace(/,/g, ""),
        );
      assert.equal(await number("total"), 37);
      assert.equal(await number("never"), 4);
      assert.equal(await number("offline"), 5);
      assert.equal(await number("online"), 28);
      assert.match(await page.locator("#groups").innerText(), /hall-1[\s\S]*roof/);
      await browser.shot("overview");
      // A device never seen sends its first reading: the numbers change without a reload.
      await writeReading(cluster.database, "boiler-9", 1, { temp_c: 40 }, "cs1");
      await page.locator('[data-field="never"]', { hasText: /^3$/ }).waitFor({ timeout: 10_000 });
      assert.equal(await number("online"), 29);

      // The list: search as you type, natural order, then a live update of one row.
      await Promise.all([page.waitForURL(/\/devices$/), page.click('nav a[href="./devices"]')]);
      await page.locator('#live[data-state="open"]').waitFor({ timeout: 10_000 });
      assert.match(await page.locator("#range").innerText(), /1–37 of 37/);
      await page.fill('input[name="q"]', "boiler");
      await page.waitForURL(/devices\?q=boiler$/);
      await page.locator("#range", { hasText: "of 10" }).waitFor({ timeout: 10_000 });
      const rows = page.locator("#devices tbody tr");
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push(await rows.nth(i).getAttribute("data-id"));
      assert.deepEqual(ids.slice(0, 4), ["boiler-1", "boiler-5", "boiler-7", "boiler-9"]);
      await page.selectOption('select[name="status"]', "online");
      await page.waitForURL(/status=online/);
      await page.locator("#range", { hasText: "of 9" }).waitFor({ timeout: 10_000 });
      await browser.shot("devices");
      const row = page.locator('#devices tr[data-id="boiler-7"]');
      await writeReading(cluster.database, "boiler-7", 20 * 60 + 20, { temp_c: 88.5 }, "cs0");
      await row.locator(".metric", { hasText: "88.5 °C" }).waitFor({ timeout: 10_000 });

      // A device: the range picker asks the series API for exactly the range picked, one request
      // at a time, and the export links follow the shown range.
      const series: { from: number; to: number }[] = [];
      let inFlight = 0;
      let mostInFlight = 0;
      const isSeries = (url: string) => /\/api\/devices\/boiler-7\/series\?/.test(url);
      page.on("request", (request) => {
        if (!isSeries(request.url())) return;
        const query = new URL(request.url()).searchParams;
        series.push({ from: Number(query.get("from")), to: Number(query.get("to")) });
        mostInFlight = Math.max(mostInFlight, ++inFlight);
      });
      const settled = (request: { url(): string }) => {
        if (isSeries(request.url())) inFlight--;
      };
      page.on("requestfinished", settled);
      page.on("requestfailed", settled);
      await Promise.all([page.waitForURL(/\/devices\/boiler-7$/), row.locator("a").click()]);
      const charts = page.locator("#charts .chart canvas");
      await charts.first().waitFor({ timeout: 10_000 });
      assert.match(await page.locator("#facts").innerText(), /boiler-7[\s\S]*via cs0/);
      // Grouped by family; one chart per unit in a family: net's rx and tx share one, temp (no
      // unit, from the first seed) and temp_c (°C) do not.
      const groups = [];
      for (const g of await page.locator("#charts .chart-group").all()) {
        groups.push(await g.getAttribute("data-group"));
      }
      assert.deepEqual(groups, ["cpu", "mem", "net", "pressure", "temp"]);
      assert.equal(await charts.count(), 6);
      await page.locator('.chart[data-metric="net_rx_bytes net_tx_bytes"] canvas').waitFor();
      assert.match(await page.locator("#series-status").innerText(), /Raw readings[\s\S]*1 gap/);
      // The legend shows the value under the cursor in the metric's unit.
      const mem = page.locator('.chart[data-metric="mem_used_bytes"]');
      await mem.locator(".u-over").hover({ position: { x: 40, y: 40 } });
      await mem.locator(".u-legend", { hasText: "GiB" }).waitFor({ timeout: 5_000 });
      await browser.shot("device");
      for (
        const [label, spanMs] of [["15m", 900_000], ["24h", 86_400_000], [
          "7d",
          604_800_000,
        ]] as const
      ) {
        const asked = series.length;
        await page.click(`#ranges button:has-text("${label}")`);
        await page.locator(`#ranges button[aria-pressed="true"]`, { hasText: label }).waitFor();
        await eventually(
          `a series request for ${label}`,
          () => Promise.resolve(series.length > asked ? true : undefined),
        );
        const last = series.at(-1)!;
        assert.equal(last.to - last.from, spanMs, label);
        const href = (await page.locator("#export-csv").getAttribute("href")) ?? "";
        assert.ok(href.endsWith(`format=csv&from=${last.from}&to=${last.to}`), href);
        // 15 min is raw readings; longer ranges read rollups, which the data layer builds later.
        await page.locator(
          label === "15m"
            ? "#series-status:has-text('Raw')"
            : "#series-status:not(:has-text('Loading'))",
        ).waitFor({ timeout: 10_000 });
      }
      await browser.shot("device-7d");
      await page.click('#ranges button[data-range="custom"]');
      await page.fill('#custom-range input[name="from"]', "2026-11-20T08:00");
      await page.fill('#custom-range input[name="to"]', "2026-11-21T08:00");
      const asked = series.length;
      await page.click('#custom-range button[type="submit"]');
      await eventually(
        "the custom range's request",
        () => Promise.resolve(series.length > asked ? true : undefined),
      );
      assert.equal(series.at(-1)!.to - series.at(-1)!.from, 86_400_000, "custom: one day");
      // A range without readings says so in place of the charts, instead of empty axes.
      await page.locator("#no-data").waitFor({ timeout: 10_000 });
      assert.match(await page.locator("#no-data").innerText(), /No data in this range/);
      assert.equal(await page.locator("#charts .chart").count(), 0, "no empty charts");
      await browser.shot("device-no-data");
      // Picks while a slow request runs: they wait for it (no abort, which would let the next
      // request start while the browser and the server still work on the old one), only the
      // range picked last is asked next, and it is what is drawn.
      await page.locator("#series-status:not(:has-text('Loading'))").waitFor({ timeout: 10_000 });
      await page.route(/\/series\?/, async (route) => {
        await delay(2_000);
        await route.continue().catch(() => {}); // the page may be gone by then
      });
      const picked = series.length;
      await page.click('#ranges button:has-text("7d")');
      await eventually(
        "the 7d request",
        () => Promise.resolve(series.length > picked ? true : undefined),
      );
      await page.click('#ranges button:has-text("24h")');
      await page.click('#ranges button:has-text("15m")');
      await page.locator("#series-status:has-text('Raw')").waitFor({ timeout: 10_000 });
      assert.equal(await page.locator("#no-data").count(), 0, "charts again once data is back");
      await page.unroute(/\/series\?/);
      const spans = series.slice(picked).map((s) => s.to - s.from);
      assert.deepEqual(spans.slice(0, 2), [604_800_000, 900_000], "7d, then only the last pick");
      assert.ok(spans.slice(2).every((span) => span === 900_000), `then refreshes: ${spans}`);
      assert.equal(mostInFlight, 1, "never two series requests in flight");
      assert.deepEqual(failures, [], "no request failed");

      // Phone width: overview, list, device and alerts.
      await page.setViewportSize({ width: 390, height: 844 });
      const phonePages = [
        ["overview", "phone-overview"],
        ["devices", "phone-devices"],
        ["devices/boiler-7", "phone-device"],
        ["alerts", "phone-alerts"],
      ];
      for (const [path, name] of phonePages) {
        await page.goto(`${base}${path}`);
        await page.waitForLoadState("networkidle").catch(() => {});
        const overflow = Number(
          await page.evaluate("document.documentElement.scrollWidth - innerWidth"),
        );
        assert.ok(overflow <= 1, `${name}: nothing runs off the screen (${overflow} px)`);
        await browser.shot(name);
      }
      assert.deepEqual(problems, [], "no console errors (a CSP violation would show here)");
    } catch (error) {
      await page.screenshot({ path: `${browser.shots}/failure.png`, fullPage: true });
      throw error;
    }
  },
});
