import assert from "node:assert/strict";
import { openTestDatabase } from "../testing/database.ts";
import { createLease, leaseCollection } from "./lease.ts";

/** A wall clock and a monotonic clock that only move when told. */
function manualClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, monotonic: () => t, advance: (ms: number) => (t += ms) };
}

Deno.test("of ten nodes asking for a free lease at once, exactly one holds it", async () => {
  await using t = await openTestDatabase();
  const leases = Array.from(
    { length: 10 },
    (_, i) => createLease(t.db, { name: "alerts", holder: `ws${i}`, ttlMs: 5_000 }),
  );
  const results = await Promise.all(leases.map((lease) => lease.renew()));
  assert.equal(results.filter((r) => r.held).length, 1);
  assert.equal(leases.filter((lease) => lease.held()).length, 1);
  const winner = leases.findIndex((lease) => lease.held());
  // Everyone agrees who holds it, after looking again.
  for (const lease of leases) assert.equal((await lease.renew()).holder, `ws${winner}`);
  assert.equal(leases.filter((lease) => lease.held()).length, 1);
});

Deno.test("the holder keeps its lease by renewing; others wait while it lives", async () => {
  await using t = await openTestDatabase();
  const clock = manualClock();
  const a = createLease(t.db, { name: "alerts", holder: "ws0", ttlMs: 3_000, ...clock });
  const b = createLease(t.db, { name: "alerts", holder: "ws1", ttlMs: 3_000, ...clock });
  assert.equal((await a.renew()).held, true);
  for (let i = 0; i < 5; i++) {
    clock.advance(1_000);
    assert.equal((await b.renew()).held, false);
    assert.equal((await a.renew()).held, true);
  }
  assert.equal(a.heldTerm(), 6, "each renewal is a new term");
  assert.equal(b.heldTerm(), undefined);
});

Deno.test("when the holder stops renewing, another node takes over after the TTL, not before", async () => {
  await using t = await openTestDatabase();
  const clock = manualClock();
  const a = createLease(t.db, { name: "alerts", holder: "ws0", ttlMs: 3_000, ...clock });
  const b = createLease(t.db, { name: "alerts", holder: "ws1", ttlMs: 3_000, ...clock });
  await a.renew();
  clock.advance(2_500);
  assert.equal(a.held(), false, "the holder lets go a safety margin before its term ends");
  assert.equal((await b.renew()).held, false, "the term has not ended yet");
  clock.advance(600);
  const status = await b.renew();
  assert.deepEqual([status.held, status.holder, status.term], [true, "ws1", 2]);
  // The old holder comes back: it sees the new term and does not take it.
  const back = await a.renew();
  assert.deepEqual([back.held, back.holder], [false, "ws1"]);
});

Deno.test("a released lease is taken over at once", async () => {
  await using t = await openTestDatabase();
  const a = createLease(t.db, { name: "alerts", holder: "ws0", ttlMs: 60_000 });
  const b = createLease(t.db, { name: "alerts", holder: "ws1", ttlMs: 60_000 });
  await a.renew();
  assert.equal((await b.renew()).held, false);
  await a.release();
  assert.equal(a.held(), false);
  assert.equal((await b.renew()).held, true);
});

Deno.test("a node starting late finds the newest term through the pointer; old terms are deleted", async () => {
  await using t = await openTestDatabase();
  const clock = manualClock();
  const a = createLease(t.db, {
    name: "alerts",
    holder: "ws0",
    ttlMs: 3_000,
    keepTerms: 5,
    ...clock,
  });
  for (let i = 0; i < 100; i++) await a.renew();
  const late = createLease(t.db, { name: "alerts", holder: "ws9", ttlMs: 3_000, ...clock });
  const status = await late.renew();
  assert.deepEqual([status.held, status.holder, status.term], [false, "ws0", 100]);
  const stored = await leaseCollection(t.db).countDocuments({ name: "alerts" });
  assert.equal(stored, 5 + 1, "five terms and the pointer");
});

Deno.test("a lease refuses a TTL it cannot keep safely", async () => {
  await using t = await openTestDatabase();
  assert.throws(() => createLease(t.db, { name: "x", holder: "a", ttlMs: 10 }), RangeError);
  assert.throws(
    () => createLease(t.db, { name: "x", holder: "a", ttlMs: 1_000, safetyMarginMs: 1_000 }),
    /safetyMarginMs 1000 not in \[0, ttl\)/,
  );
});
