/**
 * Alerts as an operator meets them, in headless Chromium through lb(web): create a rule in the
 * form, a device on TCP through comm crosses the threshold, the alert shows as firing, the
 * webhook and the e-mail arrive, the overview counts it, the device cools down and the alert
 * resolves. Then the alerts pages at phone width. Screenshots go to FLEETMON_SCREENSHOT_DIR (kept) or a temp directory.
 */
import assert from "node:assert/strict";
import { assertFitsWidth, openBrowser, signIn, withoutBrowser } from "./_browser.ts";
import { createUser, registerDevice } from "@fleetmon/shared/db";
import { freePort } from "@fleetmon/shared/socket";
import { isListening, startService } from "@fleetmon/shared/supervisor";
import { eventually, startSmtpSink, startWebhookSink } from "@fleetmon/shared/testing";
import { connectDevice } from "./_device_link.ts";
import { openCluster, startLbWeb, startWebProcess } from "./_web_support.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const OPERATOR = { username: "otto", password: "operator-horse" };

Deno.test({
  name:
    "an operator creates an alert rule in the browser, sees it fire and resolve, and gets the webhook and the e-mail",
  ignore: await withoutBrowser(),
  async fn() {
    await using cluster = await openCluster();
    await using hooks = startWebhookSink();
    await using smtp = await startSmtpSink();
    await createUser(cluster.database.db, { ...OPERATOR, role: "operator" });
    const { token } = await registerDevice(cluster.database.db, {
      id: "boiler-1",
      name: "Boiler 1",
    });
    const commPort = freePort();
    await using _comm = await startService({
      name: "cs0",
      args: [
        "run",
        "--allow-all",
        `--config=${ROOT}deno.json`,
        `${ROOT}comm/main.ts`,
        "--node=cs0",
        `--listen=127.0.0.1:${commPort}`,
        `--health=127.0.0.1:${freePort()}`,
        `--mongodb-uri=${cluster.uri}`,
      ],
      cwd: ROOT,
      ready: isListening,
    });
    await using ws0 = await startWebProcess({
      node: "ws0",
      cwd: await cluster.nodeDir("ws0"),
      uri: cluster.uri,
      extraArgs: [
        "--alert-tick-ms=250",
        "--alert-lease-ttl-ms=2000",
        `--smtp-url=${smtp.url}`,
        "--smtp-from=fleetmon <alerts@fleet.test>",
      ],
    });
    const lbPort = freePort();
    await using _lb = await startLbWeb({
      listen: `127.0.0.1:${lbPort}`,
      backends: [`ws0=${ws0.addr}`],
    });
    const device = await connectDevice({ port: commPort, device: "boiler-1", token });
    let seq = 0;
    const send = (temp: number) =>
      device.send({ type: "reading", seq: ++seq, ts: Date.now(), metrics: { temp } });
    await send(60);

    await using browser = await openBrowser({
      viewport: { width: 1280, height: 800 },
      fallbackShots: `${cluster.dir}/shots`,
    });
    const { page } = browser;
    try {
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
      const base = `https://localhost:${lbPort}/`;

      await signIn(page, base, OPERATOR);
      await Promise.all([page.waitForURL(/\/alerts$/), page.click('nav a:text("Alerts")')]);
      await page.locator("#all-clear").waitFor();

      // The rule, through the form; fields the chosen kind does not use are hidden.
      await Promise.all([
        page.waitForURL(/\/alerts\/rules\/new$/),
        page.click('a:text("New rule")'),
      ]);
      assert.equal(await page.locator('input[name="window"]').isVisible(), false);
      await page.fill('input[name="name"]', "Boiler too hot");
      await page.selectOption('select[name="severity"]', "critical");
      await page.selectOption('select[name="scope"]', "device");
      await page.fill('input[name="target"]', "boiler-1");
      await page.fill('input[name="metric"]', "temp");
      await page.selectOption('select[name="op"]', ">");
      await page.fill('input[name="value"]', "90");
      await page.fill('input[name="clear"]', "85");
      await page.fill('textarea[name="webhooks"]', hooks.url);
      await page.fill('textarea[name="emails"]', "ops@example.com");
      await browser.shot("alerts-rule-form");
      await Promise.all([
        page.waitForURL(/\/alerts\/rules$/),
        page.click('button:text("Create rule")'),
      ]);
      const ruleRow = page.locator("#rules tbody tr");
      assert.match(
        await ruleRow.innerText(),
        /Boiler too hot[\s\S]*temp > 90 \(resolves past 85\) on device boiler-1[\s\S]*critical/,
      );
      await browser.shot("alerts-rules", { fullPage: false });

      // The device crosses the threshold: the alerts page shows it firing (it refreshes itself).
      await page.goto(`${base}alerts`);
      await send(95.5);
      const firing = page.locator('#active-alerts tr[data-device="boiler-1"]');
      await firing.waitFor({ timeout: 20_000 });
      assert.match(
        await firing.innerText(),
        /critical[\s\S]*Boiler too hot[\s\S]*boiler-1[\s\S]*firing[\s\S]*95\.5/,
      );
      assert.match(await page.locator("#firing-count").innerText(), /1 firing/);
      await browser.shot("alerts-firing");

      // The overview counts it (its live stream updates the tile).
      await page.goto(`${base}overview`);
      await page.locator('[data-field="alertsFiring"]', { hasText: /^1$/ }).waitFor({
        timeout: 20_000,
      });
      await browser.shot("alerts-overview", { fullPage: false });
      await page.goto(`${base}alerts`);

      await eventually(() => hooks.received.length === 1, 20_000, "the firing webhook");
      const fired = JSON.parse(hooks.received[0].body);
      assert.deepEqual([fired.status, fired.device, fired.value], ["firing", "boiler-1", 95.5]);
      assert.match(
        hooks.received[0].headers.get("x-fleetmon-signature") ?? "",
        /^sha256=[0-9a-f]{64}$/,
      );
      await eventually(() => smtp.messages.length === 1, 20_000, "the firing e-mail");
      assert.equal(smtp.messages[0].subject, "[FIRING] Boiler too hot on boiler-1");
      assert.deepEqual(smtp.messages[0].to, ["ops@example.com"]);
      assert.match(smtp.messages[0].raw, /temp > 90 \(resolves past 85\) on device boiler-1/);

      // Hysteresis: 88 is under 90 but not past 85, so it still fires; 80 resolves it.
      await send(88);
      await send(80);
      await page.locator("#all-clear").waitFor({ timeout: 20_000 });
      await eventually(() => hooks.received.length === 2, 20_000, "the resolved webhook");
      assert.equal(JSON.parse(hooks.received[1].body).status, "resolved");
      await eventually(() => smtp.messages.length === 2, 20_000, "the resolved e-mail");
      assert.equal(smtp.messages[1].subject, "[RESOLVED] Boiler too hot on boiler-1");
      await page.locator("#history tr", { hasText: "resolved" }).waitFor({ timeout: 20_000 });
      await page.locator("#deliveries tr", { hasText: "email" }).first().waitFor({
        timeout: 20_000,
      });
      await browser.shot("alerts-resolved");

      // Phone width: every alerts page fits the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.reload();
      await browser.shot("alerts-phone");
      await assertFitsWidth(page, "/alerts");
      await page.goto(`${base}alerts/rules`);
      await browser.shot("alerts-rules-phone");
      await assertFitsWidth(page, "/alerts/rules");
      await page.click("#rules a");
      await page.locator("#rule-form").waitFor();
      await browser.shot("alerts-rule-phone");
      await assertFitsWidth(page, "the rule form");

      assert.deepEqual(problems, [], "no console errors (a CSP violation would show here)");
    } finally {
      await device.close();
    }
  },
});
