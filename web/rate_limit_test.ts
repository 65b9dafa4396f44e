import assert from "node:assert/strict";
import { createLoginLimiter } from "./rate_limit.ts";

Deno.test("the limiter refuses a key after maxFailures failures until its window ends", () => {
  let t = 1_000;
  const limiter = createLoginLimiter({ maxFailures: 3, windowMs: 60_000, now: () => t });
  for (let i = 0; i < 3; i++) {
    assert.equal(limiter.retryAfterMs("alice|1.2.3.4"), 0);
    limiter.fail("alice|1.2.3.4");
  }
  assert.equal(limiter.retryAfterMs("alice|1.2.3.4"), 60_000);
  assert.equal(limiter.retryAfterMs("alice|5.6.7.8"), 0, "another address is a separate key");
  t += 59_000;
  assert.equal(limiter.retryAfterMs("alice|1.2.3.4"), 1_000);
  t += 1_000;
  assert.equal(limiter.retryAfterMs("alice|1.2.3.4"), 0, "a new window starts afresh");
  assert.equal(limiter.size, 0);
});

Deno.test("a successful login clears the key's failures", () => {
  const limiter = createLoginLimiter({ maxFailures: 2, now: () => 0 });
  limiter.fail("bob");
  limiter.succeed("bob");
  limiter.fail("bob");
  assert.equal(limiter.retryAfterMs("bob"), 0);
});

Deno.test("the limiter keeps at most maxKeys windows, dropping the oldest", () => {
  const limiter = createLoginLimiter({ maxFailures: 1, maxKeys: 2, now: () => 0 });
  limiter.fail("a");
  limiter.fail("b");
  limiter.fail("c");
  assert.equal(limiter.size, 2);
  assert.equal(limiter.retryAfterMs("a"), 0, "the oldest was dropped");
  assert.ok(limiter.retryAfterMs("c") > 0);
});

Deno.test("the limiter refuses nonsense options", () => {
  assert.throws(() => createLoginLimiter({ maxFailures: 0 }), /maxFailures 0 is not >= 1/);
  assert.throws(() => createLoginLimiter({ windowMs: 0 }), /windowMs 0 is not > 0/);
});
