import assert from "node:assert/strict";
import { writeDeviceStatus } from "@fleetmon/shared/db";
import { openTestDatabase, writeTestReading } from "@fleetmon/shared/testing";
import { apiLogin, seedDevice, seedUser, testApp } from "./_testing.ts";
import { createStats } from "./stats.ts";

/** Every href, src and action in the page is relative: no scheme, no host, no leading slash. */
function assertRelativeLinks(html: string): string[] {
  const urls = [...html.matchAll(/\s(?:href|src|action|data-[a-z]+)="([^"]*)"/g)].map((m) => m[1])
    .filter((u) => /[/.]/.test(u));
  assert.ok(urls.length > 0);
  for (const url of urls) {
    assert.ok(!/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith("/"), `relative: ${url}`);
  }
  return urls;
}

Deno.test("/devices shows a page of devices in natural order with status, last values and relative links", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await seedDevice(t.db, "pump-10");
  await seedDevice(t.db, "pump-1", { count: 3, node: "cs1", start: Date.now() - 5_000 });
  await seedDevice(t.db, "idle-1");
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  const response = await app.request("/devices", { headers: { cookie } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
  const html = await response.text();
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<a href="\.\/devices\/pump-1">pump-1<\/a>/);
  assert.match(html, /<span class="metric-name">cpu<\/span> 0\.03/);
  assert.match(html, /<td class="hide-narrow mono">cs1<\/td>/);
  assert.match(html, /no readings yet/);
  const order = [...html.matchAll(/<tr data-id="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(order, ["idle-1", "pump-1", "pump-10"]);
  assert.match(html, /<span class="badge online">online<\/span>/);
  assert.match(html, /<span class="badge never">never seen<\/span>/);
  assert.match(html, /1–3 of 3/);
  const filtered =
    await (await app.request("/devices?q=pump&status=never", { headers: { cookie } }))
      .text();
  assert.deepEqual([...filtered.matchAll(/<tr data-id="([^"]+)"/g)].map((m) => m[1]), ["pump-10"]);
  assert.equal((await app.request("/devices?limit=x", { headers: { cookie } })).status, 400);
  assert.match(html, /data-stream="api\/stream\/devices"/);
  const urls = assertRelativeLinks(html);
  assert.ok(urls.includes("./static/devices.js") && urls.includes("./logout"));
  assert.ok(!/<script>|style="/.test(html), "no inline script or style (the CSP forbids them)");
});

Deno.test("/devices/:id shows status, last values with units, connections, the range picker and export links", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await seedDevice(t.db, "pump-1", { start: Date.now() - 5_000 });
  await writeTestReading(t.db, "pump-1", 9, { mem_used_bytes: 7.7e9, temp_c: 61.34 }, {
    start: Date.now() - 10_000,
  });
  await writeDeviceStatus(t.db, {
    last: [],
    connections: [{ device: "pump-1", node: "cs1", kind: "connect", at: new Date() }],
    readings: 0,
    nacks: {},
  });
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  const response = await app.request("/devices/pump-1", { headers: { cookie } });
  assert.equal(response.status, 200);
  const html = await response.text();
  const urls = assertRelativeLinks(html);
  assert.ok(urls.includes("../static/uplot.js"));
  assert.ok(urls.includes("../static/uplot.css"));
  assert.ok(urls.includes("../api/devices/pump-1"), "the charts' API base");
  assert.ok(urls.includes("../api/devices/pump-1/export?format=csv"));
  assert.ok(urls.includes("../api/devices/pump-1/export?format=ndjson"));
  assert.ok(urls.includes("../devices"));
  assert.match(html, /<span class="badge online">online<\/span>/);
  assert.match(html, /7\.17 GiB/);
  assert.match(html, /61\.3 °C/);
  for (const range of ["15m", "1h", "6h", "24h", "7d", "30d", "90d", "Custom"]) {
    assert.match(html, new RegExp(`data-range="[^"]+"[^>]*>${range}</button>`), range);
  }
  assert.match(html, /<table class="grid compact" id="connections">[\s\S]*connected[\s\S]*cs1/);
  assert.match(html, /id="edit-form"/, "an admin may edit");
  assert.ok(!/<script>|style="/.test(html), "no inline script or style (the CSP forbids them)");

  const missing = await app.request("/devices/nope", { headers: { cookie } });
  assert.equal(missing.status, 404);
  const missingHtml = await missing.text();
  assert.match(missingHtml, /Device &quot;nope&quot; does not exist/);
  assertRelativeLinks(missingHtml);
});

async function readEvent(
  reader: ReadableStreamDefaultReader<string>,
  buffer: { text: string },
  deadlineMs: number,
): Promise<{ event?: string; data: string }> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const end = buffer.text.indexOf("\n\n");
    if (end >= 0) {
      const block = buffer.text.slice(0, end);
      buffer.text = buffer.text.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join("\n");
      if (event) return { event, data };
      continue; // retry: or keepalive comment
    }
    const { value, done } = await reader.read();
    if (done) throw new Error("Stream ended before an event arrived");
    buffer.text += value;
  }
  throw new Error(`No event within ${deadlineMs} ms`);
}

Deno.test("the live stream sends the page, then only the row that changed when a new reading lands", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await seedDevice(t.db, "pump-1", { count: 1 });
  await seedDevice(t.db, "pump-2", { count: 1 });
  const stats = createStats();
  const shutdown = new AbortController();
  const app = testApp(t.db, { stats, liveIntervalMs: 50, signal: shutdown.signal });
  const cookie = await apiLogin(app);
  const response = await app.request("/api/stream/devices", { headers: { cookie } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const buffer = { text: "" };
  try {
    const first = await readEvent(reader, buffer, 5_000);
    assert.equal(first.event, "page");
    const page = JSON.parse(first.data);
    assert.equal(page.total, 2);
    assert.deepEqual(page.devices[0].lastMetrics, { cpu: 0.01, temp: 21 });
    assert.equal(stats.liveStreams, 1);

    await writeTestReading(t.db, "pump-1", 2, { cpu: 0.5 }, { node: "cs1" });
    const second = await readEvent(reader, buffer, 5_000);
    assert.equal(second.event, "rows");
    const { devices: [device, ...others] } = JSON.parse(second.data);
    assert.deepEqual(others, [], "only the changed row is sent");
    assert.equal(device.id, "pump-1");
    assert.deepEqual(device.lastMetrics, { cpu: 0.5 });
    assert.equal(device.lastNode, "cs1");
    assert.ok(!second.data.includes("tokenHash"));
  } finally {
    shutdown.abort(); // as on SIGTERM: the stream ends by itself
    while (!(await reader.read()).done) { /* drain to the end */ }
  }
  assert.equal(stats.liveStreams, 0);
});

Deno.test("a live stream ends when the client goes away", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const stats = createStats();
  const app = testApp(t.db, { stats, liveIntervalMs: 20 });
  const cookie = await apiLogin(app);
  const response = await app.request("/api/stream/devices", { headers: { cookie } });
  const reader = response.body!.getReader();
  await reader.read();
  assert.equal(stats.liveStreams, 1);
  await reader.cancel();
  const deadline = Date.now() + 5_000;
  while (stats.liveStreams > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(stats.liveStreams, 0);
});
