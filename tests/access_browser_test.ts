/**
 * Access as an admin and a viewer meet it, in headless Chromium through lb(web): the admin adds a
 * viewer and makes an API token on the admin pages, a script uses the token, the audit log shows
 * both changes; the viewer signs in and can read but not change anything. The cluster page shows
 * lb(web) and the web node. Screenshots at desktop and phone width go to FLEETMON_SCREENSHOT_DIR
 * (kept) or a temp directory.
 */
import assert from "node:assert/strict";
import { assertFitsWidth, openBrowser, signIn, withoutBrowser } from "./_browser.ts";
import { createUser, registerDevice } from "@fleetmon/shared/db";
import { freePort } from "@fleetmon/shared/socket";
import { eventually } from "@fleetmon/shared/testing";
import { openCluster, startLbWeb, startWebProcess } from "./_web_support.ts";

const ADMIN = { username: "ada", password: "ada's admin password" };
const VIEWER = { username: "vera", password: "vera's viewer password" };
Deno.test({
  name:
    "an admin adds a viewer and an API token in the browser; the viewer cannot change anything; a script uses the token",
  ignore: await withoutBrowser(),
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
    await using _lb = await startLbWeb({
      listen: `127.0.0.1:${lbPort}`,
      admin: `127.0.0.1:${lbAdminPort}`,
      backends: [`ws0=${ws0.addr}`],
    });

    await using browser = await openBrowser({
      viewport: { width: 1280, height: 800 },
      fallbackShots: `${cluster.dir}/shots`,
    });
    const { page } = browser;
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
    await browser.shot("access-users");

    // Tokens: make a viewer token; it is shown once.
    await page.click('nav a[href$="tokens"]');
    await page.fill('#add-token input[name="name"]', "nightly export");
    await page.selectOption('#add-token select[name="role"]', "viewer");
    await page.click('#add-token button[type="submit"]');
    const token = (await page.locator("#new-token code").innerText()).trim();
    assert.match(token, /^fmt_[A-Za-z0-9_-]{43}$/);
    await browser.shot("access-tokens");
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
    await browser.shot("access-audit");

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
    await browser.shot("access-cluster");
    await page.setViewportSize({ width: 390, height: 844 });
    await assertFitsWidth(page, "cluster at phone width");
    await browser.shot("access-cluster-phone");
    await page.goto(`${base}users`);
    await assertFitsWidth(page, "users at phone width");
    await browser.shot("access-users-phone");
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
    await browser.shot("access-viewer-refused", { fullPage: false });
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
  },
});
