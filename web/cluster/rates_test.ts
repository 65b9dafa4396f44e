import assert from "node:assert/strict";
import { createRateTracker } from "./rates.ts";

Deno.test("rates come from the difference between a node's last two heartbeats", () => {
  const tracker = createRateTracker();
  tracker.observe("cs0", 10_000, { readingsStored: 1_000, connections: 5 });
  assert.deepEqual(tracker.rates("cs0"), {}, "one heartbeat gives no rate");
  tracker.observe("cs0", 10_000, { readingsStored: 1_000 });
  tracker.observe("cs0", 15_000, { readingsStored: 6_000, connections: 9 });
  assert.deepEqual(tracker.rates("cs0"), { readingsStored: 1_000 }, "gauges are not rated");
  tracker.observe("cs0", 20_000, { readingsStored: 50 });
  assert.deepEqual(tracker.rates("cs0"), {}, "a restarted node's counter fell: no rate");
  tracker.observe("cs0", 12_000, { readingsStored: 1e9 });
  tracker.observe("cs0", 25_000, { readingsStored: 550 });
  assert.deepEqual(tracker.rates("cs0"), { readingsStored: 100 }, "an older heartbeat is ignored");
  assert.deepEqual(tracker.rates("nobody"), {});
});
