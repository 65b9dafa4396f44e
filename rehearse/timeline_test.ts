import assert from "node:assert/strict";
import { meanAckedRate, rates, smoothRates, window } from "./timeline.ts";

const samples = [
  { t: 0, acked: 0, webOk: 0, webFailed: 0 },
  { t: 1000, acked: 100, webOk: 4, webFailed: 0 },
  { t: 3000, acked: 100, webOk: 8, webFailed: 2 },
  { t: 4000, acked: 300, webOk: 12, webFailed: 2 },
];

Deno.test("rates are per second over each sampling interval, however long", () => {
  assert.deepEqual(rates(samples), [
    { s: 1, ackedPerS: 100, webPerS: 4, webFailedPerS: 0 },
    { s: 3, ackedPerS: 0, webPerS: 2, webFailedPerS: 1 },
    { s: 4, ackedPerS: 200, webPerS: 4, webFailedPerS: 0 },
  ]);
});

Deno.test("a window keeps the samples between its ends and the mean rate spans them", () => {
  assert.equal(window(samples, 1000, 3000).length, 2);
  assert.equal(meanAckedRate(samples, 0, 4000), 75);
  assert.equal(meanAckedRate(samples, 5000, 6000), 0);
});

Deno.test("smoothed rates are each the mean over the samples around it", () => {
  assert.deepEqual(smoothRates(samples, 1).map((p) => [p.s, p.ackedPerS]), [
    [0, 100],
    [1, 100 / 3],
    [3, 200 / 3],
    [4, 200],
  ]);
});
