import assert from "node:assert/strict";
import { formatMetric, formatNumber, metricEntries, relativeTime } from "./format.ts";

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

Deno.test("formatMetric shows the unit a metric's name ends in", () => {
  assert.equal(formatMetric("mem_used_bytes", 7.7e9), "7.17 GiB");
  assert.equal(formatMetric("net_rx_bytes", 512), "512 B");
  assert.equal(formatMetric("cpu_ratio", 0.4213), "42.1 %");
  assert.equal(formatMetric("temp_c", 61.34), "61.3 °C");
  assert.equal(formatMetric("uptime_seconds", 5400), "1.5 h");
  assert.equal(formatMetric("latency_seconds", 0.012), "12 ms");
  assert.equal(formatMetric("power_watts", 2500), "2.5 kW");
  assert.equal(formatMetric("pressure", 1.5), "1.5");
});
