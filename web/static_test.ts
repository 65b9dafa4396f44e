import assert from "node:assert/strict";
import { formatNumber, relativeTime } from "./views/format.ts";
import { serveAsset } from "./static.ts";
import { Hono } from "hono";

/** Runs the served common.js as a classic script would, without a DOM, and returns its `fm`. */
async function browserFormatting() {
  const app = new Hono().get("/static/:name", (c) => serveAsset(c, c.req.param("name")));
  const body = await (await app.request("/static/common.js")).text();
  // Parameters shadow the globals the script touches at load (its once-a-second clock tick).
  const run = new Function("setInterval", "document", `${body}\nreturn fm;`);
  return run(() => 0, undefined) as {
    relativeTime(iso: string | null, now: number): string;
    formatNumber(value: number): string;
  };
}

Deno.test("the browser's live updates format times and numbers with the pages' own functions", async () => {
  const fm = await browserFormatting();
  const now = Date.parse("2026-11-24T12:00:00Z");
  for (const secondsAgo of [0, 1, 42, 59, 60, 3599, 3600, 86_399, 86_400, 400_000]) {
    const iso = new Date(now - secondsAgo * 1000).toISOString();
    assert.equal(fm.relativeTime(iso, now), relativeTime(iso, now), `${secondsAgo} s ago`);
  }
  assert.equal(fm.relativeTime(null, now), "never");
  for (const value of [0, 42, -7, 0.42, 1234.5678, 1e7, 1.2e9, 0.0004, -3e-6]) {
    assert.equal(fm.formatNumber(value), formatNumber(value), String(value));
  }
  assert.equal(fm.formatNumber(1.2e9), "1.20e+9");
});
