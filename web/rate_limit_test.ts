import assert from "node:assert/strict";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { createLoginLimiter, deleteEndedLoginWindows } from "./rate_limit.ts";

Deno.test("the limiter refuses a key after maxFailures failures until its window ends", async () => {
  await using t = await openTestDatabase();
  let now = 1_000;
  const limiter = createLoginLimiter(t.db, { maxFailures: 3, windowMs: 60_000, now: () => now });
  for (let i = 0; i < 3; i++) {
    assert.equal(await limiter.retryAfterMs("alice|1.2.3.4"), 0);
    await limiter.fail("alice|1.2.3.4");
  }
  assert.equal(await limiter.retryAfterMs("alice|1.2.3.4"), 60_000);
  assert.equal(await limiter.retryAfterMs("alice|5.6.7.8"), 0, "another address is another key");
  now += 59_000;
  assert.equal(await limiter.retryAfterMs("alice|1.2.3.4"), 1_000);
  now += 1_000;
  assert.equal(await limiter.retryAfterMs("alice|1.2.3.4"), 0, "a new window starts afresh");
  await limiter.fail("alice|1.2.3.4");
  assert.equal(await limiter.retryAfterMs("alice|1.2.3.4"), 0, "one failure in the new window");
});

Deno.test("failures on one web node count on every other node", async () => {
  await using t = await openTestDatabase();
  const ws0 = createLoginLimiter(t.db, { maxFailures: 4, now: () => 0 });
  const ws1 = createLoginLimiter(t.db, { maxFailures: 4, now: () => 0 });
  await ws0.fail("carol|10.0.0.9");
  await ws1.fail("carol|10.0.0.9");
  await ws0.fail("carol|10.0.0.9");
  assert.equal(await ws1.retryAfterMs("carol|10.0.0.9"), 0);
  await ws1.fail("carol|10.0.0.9");
  assert.ok(await ws0.retryAfterMs("carol|10.0.0.9") > 0, "the fourth failure was on ws1");
  const stored = await t.db.collection("login_failures").find().toArray();
  assert.equal(stored.length, 1);
  assert.ok(!JSON.stringify(stored).includes("carol"), "the key is kept only as a hash");
});

Deno.test("a successful login clears the key's failures", async () => {
  await using t = await openTestDatabase();
  const limiter = createLoginLimiter(t.db, { maxFailures: 2, now: () => 0 });
  await limiter.fail("bob");
  await limiter.succeed("bob");
  await limiter.fail("bob");
  assert.equal(await limiter.retryAfterMs("bob"), 0);
});

Deno.test("ended windows are deleted by the sweep, current ones kept", async () => {
  await using t = await openTestDatabase();
  let now = 0;
  const limiter = createLoginLimiter(t.db, { windowMs: 1_000, now: () => now });
  await limiter.fail("old");
  now = 900;
  await limiter.fail("new");
  assert.equal(await deleteEndedLoginWindows(t.db, new Date(1_500)), 1);
  assert.deepEqual(
    (await t.db.collection("login_failures").find().toArray()).map((w) => w.failures),
    [1],
  );
});

Deno.test("the limiter refuses nonsense options", async () => {
  await using t = await openTestDatabase();
  assert.throws(() => createLoginLimiter(t.db, { maxFailures: 0 }), /maxFailures 0 is not >= 1/);
  assert.throws(() => createLoginLimiter(t.db, { windowMs: 0 }), /windowMs 0 is not > 0/);
});
