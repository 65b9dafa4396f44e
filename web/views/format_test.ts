import assert from "node:assert/strict";
import { formatNumber, metricEntries, relativeTime } from "./format.ts";

Deno.test("relativeTime says how long ago, coarsening as time passes", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");
  assert.equal(relativeTime(null, now), "never");
  assert.equal(relativeTime("2026-01-01T12:00:00Z", now), "just now");
  assert.equal(relativeTime("2026-01-01T11:59:18Z", now), "42 s ago");
  assert.equal(relativeTime("2026-01-01T11:55:00Z", now), "5 min ago");
  assert.equal(relativeTime("2026-01-01T09:00:00Z", now), "3 h ago");
  assert.equal(relativeTime("2025-12-30T12:00:00Z", now), "2 d ago");
});

Deno.test("formatNumber keeps metric values short", () => {
  assert.equal(formatNumber(42), "42");
  assert.equal(formatNumber(0.421234), "0.4212");
  assert.equal(formatNumber(1.2e9), "1.20e+9");
  assert.equal(formatNumber(0.00001), "1.00e-5");
});

Deno.test("metricEntries shows the first few metrics and counts the rest", () => {
  const { shown, more } = metricEntries({ a: 1, b: 2, c: 3 }, 2);
  assert.deepEqual(shown, [["a", "1"], ["b", "2"]]);
  assert.equal(more, 1);
  assert.deepEqual(metricEntries(null), { shown: [], more: 0 });
});
