import assert from "node:assert/strict";
import { bucketReadings, chooseTier, MAX_POINTS, toSeries } from "./series.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

Deno.test("a chart of any range from 15 minutes to 90 days reads the tier that keeps it within 1,000 points", () => {
  const from = Date.UTC(2026, 10, 1, 12, 0, 0) + 12_345; // inside a bucket of every step
  for (
    const [span, tier] of [
      [15 * MIN, "raw"],
      [1_000_000, "raw"], // 1,000 steps of 1 s would be 1,001 buckets from inside one
      [HOUR, "raw"],
      [HOUR + 1, "1m"],
      [6 * HOUR, "1m"],
      [24 * HOUR, "1m"],
      [25 * HOUR + 1, "1h"],
      [7 * DAY, "1h"],
      [30 * DAY, "1h"],
      [90 * DAY, "1h"],
      [999 * HOUR, "1h"],
    ] as const
  ) {
    const chosen = chooseTier(from, from + span);
    assert.equal(chosen.tier, tier, `${span} ms`);
    // Data in every bucket (the worst case): a reading every half step.
    const half = chosen.stepMs / 2;
    const times = [];
    for (let ts = from; ts < from + span; ts += half) times.push(ts);
    times.push(from + span - 1); // the last moment too
    const readings = times.map((ts, i) => ({ device: "d", seq: i + 1, ts, metrics: { cpu: 1 } }));
    const buckets = bucketReadings(readings, chosen.stepMs);
    const series = toSeries(buckets, chosen.tier, chosen.stepMs, from, from + span);
    assert.ok(series.t.length <= MAX_POINTS, `${span} ms: ${series.t.length} points`);
    assert.deepEqual(series.gaps, [], `${span} ms: no gap where data is everywhere`);
  }
});
