import assert from "node:assert/strict";
import { Backoff } from "./backoff.ts";

/** A fixed cycle of "random" numbers. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length];
};

Deno.test("backoff without jitter doubles from initialMs up to maxMs", () => {
  const backoff = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: "none" });
  const delays = Array.from({ length: 6 }, () => backoff.next());
  assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000]);
  assert.equal(backoff.attempt, 6);
  backoff.reset();
  assert.equal(backoff.next(), 100);
});

Deno.test("full jitter draws between zero and the exponential ceiling", () => {
  const backoff = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: "full" }, sequence(0.5));
  assert.deepEqual(Array.from({ length: 6 }, () => backoff.next()), [50, 100, 200, 400, 500, 500]);
  const extremes = new Backoff(
    { initialMs: 100, maxMs: 1_000, jitter: "full" },
    sequence(0, 0.999),
  );
  assert.equal(extremes.next(), 0);
  assert.equal(extremes.next(), 199);
});

Deno.test("decorrelated jitter stays between initialMs and three times the last delay", () => {
  const backoff = new Backoff(
    { initialMs: 100, maxMs: 2_000, jitter: "decorrelated" },
    sequence(1, 1, 1, 1, 0),
  );
  assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next()], [
    300,
    900,
    2_000,
    2_000,
  ]);
  assert.equal(backoff.next(), 100, "a draw of 0 falls back to initialMs");
  backoff.reset();
  const fresh = new Backoff({ initialMs: 100, maxMs: 2_000, jitter: "decorrelated" }, () => 0.5);
  assert.equal(fresh.next(), 200);
});

Deno.test("full jitter spreads many devices over the whole window", () => {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const delays = Array.from(
    { length: 1_000 },
    () => new Backoff({ initialMs: 1_000, maxMs: 30_000, jitter: "full" }, random).next(),
  );
  const buckets = new Array(10).fill(0);
  for (const delay of delays) buckets[Math.floor(delay / 100)]++;
  assert.ok(buckets.every((n) => n > 60 && n < 140), `uneven: ${buckets}`);
});

Deno.test("backoff refuses nonsensical bounds", () => {
  assert.throws(() => new Backoff({ initialMs: 0, maxMs: 10, jitter: "full" }), RangeError);
  assert.throws(() => new Backoff({ initialMs: 100, maxMs: 10, jitter: "full" }), RangeError);
});
