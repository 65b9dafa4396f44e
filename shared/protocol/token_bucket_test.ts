import assert from "node:assert/strict";
import { TokenBucket } from "./token_bucket.ts";

Deno.test("token bucket allows a burst, then the rate, and says when to retry", () => {
  const bucket = new TokenBucket(10, 3, 0);
  for (let i = 0; i < 3; i++) assert.deepEqual(bucket.take(0), { ok: true });
  assert.deepEqual(bucket.take(0), { ok: false, retryAfterMs: 100 });
  assert.deepEqual(bucket.take(50), { ok: false, retryAfterMs: 50 });
  assert.deepEqual(bucket.take(100), { ok: true });
  assert.deepEqual(bucket.take(10_000), { ok: true }, "refills");
  assert.deepEqual(bucket.take(10_000), { ok: true });
  assert.deepEqual(bucket.take(10_000), { ok: true });
  assert.equal(bucket.take(10_000).ok, false, "never holds more than the burst");
});

Deno.test("token bucket hands out whole tokens in bulk and says when the next one is due", () => {
  const bucket = new TokenBucket(100, 5, 0);
  assert.equal(bucket.takeUpTo(3, 0), 3);
  assert.equal(bucket.takeUpTo(10, 0), 2, "no more than it holds");
  assert.equal(bucket.takeUpTo(10, 5), 0, "half a token is not one");
  assert.equal(bucket.msUntilToken(5), 5);
  assert.equal(bucket.msUntilToken(10), 0);
  assert.equal(bucket.takeUpTo(10, 35), 3);
});
