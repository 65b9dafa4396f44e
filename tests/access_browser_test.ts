/**
 * Access as an admin and a viewer meet it, in headless Chromium through lb(web): the admin adds a
 * viewer and makes an API token on the admin pages, a script uses the token, the audit log shows
 * both changes; the viewer signs in and can read but not change anything. The cluster page shows
 * lb(web) and the web node. Screenshots at desktop and phone width go to FLEETMON_SCREENSHOT_DIR
 * (kept) or a temp directory.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { createUser, registerDevice } from "@fleetmon/shared/db";
import { freePort } from "@fleetmon/shared/socket";
import { isListening, startService } from "@fleetmon/shared/supervisor";
import { eventually } from "@fleetmon/shared/testing";
import { openCluster, startWebProcess } from "./_web_support.ts";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = new URL("..", import.meta.url).pathname;
const ADMIN = { username: "ada", password: "ada's admin password" };
const VIEWER = { username: "vera", password: "vera's viewer password" };
const BROWSER_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function assertFitsWidth(page: Page, what: string) {
  const [scroll, inner] = await page.evaluate(
    "[document.querySelector('main').scrollWidth, innerWidth]",
  ) as [number, number];
  assert.ok(scroll <= inner, `${what}: ${scroll} px wide on a ${inner} px screen`);
}

async function signIn(page: Page, base: string, who: { username: string; password: string }) {
  await page.goto(`${base}login`);
  await page.fill('input[name="username"]', who.username);
  await page.fill('input[name="password"]', who.password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.endsWith("/login")),
    page.click('button[type="submit"]'),
  ]);
}

Deno.test({
  name:
    "an admin adds a viewer and an API token in the browser; the viewer cannot change anything; a script uses the token",
  ignore: !(await Deno.stat(CHROMIUM).then(() => true, () => false)),
  async fn() {
    await using cluster = await openCluster();
    await createUser(cluster.database.db, { ...ADMIN, role: "admin" });
    await registerDevice(cluster.database.db, { id: "pump-1", name: "Pump 1" });
    const lbPort = freePort();
    const lbAdminPort = freePort();
    const base = `https://localhost:${lbPort}/`;
    await using ws0 = await startWebProcess({
      node: "ws0",
      cwd: await cluster.nodeDir("ws0"),
      uri: cluster.uri,
      extraArgs: [
        `--public-origin=https://localhost:${lbPort}`,
        `--lb-admin=lb-web=http://127.0.0.1:${lbAdminPort}`,
      ],
    });
    await using _lb = await startService({
      name: "lb-web",
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        `--config=${ROOT}deno.json`,
        `${ROOT}lb/main.ts`,
        "--name=lb-web",
        `--listen=127.0.0.1:${lbPort}`,
        `--admin=127.0.0.1:${lbAdminPort}`,
        "--check=tcp",
        `--backend=ws0=${ws0.addr}`,
      ],
      cwd: ROOT,
      ready: isListening,
    });

    const shots = Deno.env.get("FLEETMON_SCREENSHOT_DIR") ?? `${cluster.dir}/shots`;
    await Deno.mkdir(shots, { recursive: true });
    const profile = await Deno.makeTempDir({ prefix: "fleetmon-chromium-" });
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 800 },
      args: BROWSER_ARGS,
    });
    let token = "";
    try {
      const page = browser.pages()[0] ?? await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(error.message));
      await signIn(page, base, ADMIN);

      // Users: add a viewer with the form.
      await page.click('nav a[href$="users"]');
      await page.fill('#add-user input[name="username"]', VIEWER.username);
      await page.fill('#add-user input[name="password"]', VIEWER.password);
      await page.selectOption('#add-user select[name="role"]', "viewer");
      await Promise.all([
        page.waitForURL(/\/users$/),
        page.click('#add-user button[type="submit"]'),
      ]);
      const row = page.locator('tr[data-user="vera"]');
      assert.equal(await row.locator("select").inputValue(), "viewer");
      assert.match(await row.innerText(), /active/);
      await page.screenshot({ path: `${shots}/access-users.png`, fullPage: true });

      // Tokens: make a viewer token; it is shown once.
      await page.click('nav a[href$="tokens"]');
      await page.fill('#add-token input[name="name"]', "nightly export");
      await page.selectOption('#add-token select[name="role"]', "viewer");
      await page.click('#add-token button[type="submit"]');
      token = (await page.locator("#new-token code").innerText()).trim();
      assert.match(token, /^fmt_[A-Za-z0-9_-]{43}$/);
      await page.screenshot({ path: `${shots}/access-tokens.png`, fullPage: true });
      await page.goto(`${base}tokens`);
      assert.equal(await page.locator("#new-token").count(), 0, "shown only once");
      assert.ok(!(await page.content()).includes(token));

      // A script uses the token: reads, and cannot write.
      using client = Deno.createHttpClient({ caCerts: [cluster.certPem] });
      const bearer = { authorization: `Bearer ${token}` };
      const devices = await fetch(`${base}api/devices`, { client, headers: bearer });
      assert.equal(devices.status, 200);
      assert.match(await devices.text(), /pump-1/);
      const write = await fetch(`${base}api/users`, {
        client,
        method: "POST",
        headers: { ...bearer, "content-type": "application/json" },
        body: JSON.stringify({
          username: "mallory",
          password: "mallory's password",
          role: "admin",
        }),
      });
      assert.equal(write.status, 403);
      await write.body?.cancel();

      // The audit log names both changes, who made them and from where.
      await page.click('nav a[href$="audit"]');
      const audit = await page.locator("#audit").innerText();
      assert.match(audit, /ada\s+user\.add\s+vera/);
      assert.match(audit, /ada\s+token\.create\s+tok_/);
      assert.match(audit, /via ws0/);
      await page.screenshot({ path: `${shots}/access-audit.png`, fullPage: true });

      // The cluster page shows lb(web) with ws0 up, and ws0 itself.
      await page.click('nav a[href$="cluster"]');
      await eventually(
        async () => {
          await page.reload();
          return /reachable/.test(await page.locator('[data-lb="lb-web"]').innerText());
        },
        10_000,
        "lb-web on the cluster page",
      );
      assert.match(await page.locator('#web-nodes tr[data-node="ws0"]').innerText(), /up/);
      await page.screenshot({ path: `${shots}/access-cluster.png`, fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await assertFitsWidth(page, "cluster at phone width");
      await page.screenshot({ path: `${shots}/access-cluster-phone.png`, fullPage: true });
      await page.goto(`${base}users`);
      await assertFitsWidth(page, "users at phone width");
      await page.screenshot({ path: `${shots}/access-users-phone.png`, fullPage: true });
      await page.setViewportSize({ width: 1280, height: 800 });

      // The viewer: reads, sees no admin pages and no forms that change anything.
      await page.click(".logout button");
      await signIn(page, base, VIEWER);
      assert.equal(await page.locator('nav a[href$="users"]').count(), 0);
      for (const path of ["devices", "devices/pump-1"]) {
        await page.goto(`${base}${path}`);
        const changing = await page.locator('form[method="post"]:not(.logout)').count();
        assert.equal(changing, 0, `no change forms for a viewer on /${path}`);
      }
      const refused = await page.goto(`${base}users`);
      assert.equal(refused?.status(), 403);
      assert.match(await page.locator("main").innerText(), /needs the admin role; you are viewer/);
      await page.screenshot({ path: `${shots}/access-viewer-refused.png` });
      const fromPage = await page.evaluate(async () => {
        const response = await fetch("api/devices/pump-1", {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ tags: ["x"] }),
        });
        return response.status;
      });
      assert.equal(fromPage, 403, "the viewer's own session cannot change a device");
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    }
  },
});
