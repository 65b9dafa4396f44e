import assert from "node:assert/strict";
import { openReadings, type Reading } from "@fleetmon/shared/readings";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { auditReadings, AuditTally } from "./audit.ts";
import { SeqSet } from "./seq_set.ts";

const setOf = (...seqs: number[]) => {
  const set = new SeqSet();
  for (const seq of seqs) set.add(seq);
  return set;
};
const T0 = Date.now() - 3600_000;
const reading = (device: string, seq: number): Reading => ({
  device,
  seq,
  ts: T0 + seq * 1_000,
  metrics: { v: seq },
});

Deno.test("the tally counts found, lost and duplicated readings", () => {
  const tally = new AuditTally(new Map([["a", setOf(1, 2, 3)], ["b", setOf(7)]]));
  tally.add({ device: "a", seq: 1, count: 1 });
  tally.add({ device: "a", seq: 3, count: 2 });
  tally.add({ device: "a", seq: 4, count: 1 }); // stored, never acked: fine
  tally.add({ device: "c", seq: 1, count: 3 }); // another device's duplicates still count
  const result = tally.result(5);
  assert.deepEqual(result, {
    devices: 2,
    checked: 4,
    found: 2,
    lost_acked: 2,
    duplicates: 3,
    lost_examples: ["a:2", "b:7"],
    ms: 5,
  });
});

Deno.test("the audit finds nothing wrong when every acked reading is stored once", async () => {
  await using t = await openTestDatabase();
  const store = await openReadings(t.db, { node: "cs0" });
  await store.write([1, 2, 3, 4].map((seq) => reading("d1", seq)));
  await store.write([10, 11].map((seq) => reading("d2", seq)));
  await store.write([reading("d3", 1)]); // not part of the run
  const acked = new Map([["d1", setOf(1, 2, 3)], ["d2", setOf(10, 11)], ["d4", new SeqSet()]]);
  const result = await auditReadings(t.db, acked);
  assert.equal(result.checked, 5);
  assert.equal(result.found, 5);
  assert.equal(result.lost_acked, 0);
  assert.equal(result.duplicates, 0);
  assert.equal(result.extra_copies, 0);
});

Deno.test("the audit reports acked readings missing, and a resent copy stored but shown once", async () => {
  await using t = await openTestDatabase();
  const store = await openReadings(t.db, { node: "cs0" });
  await store.write([1, 2, 4].map((seq) => reading("d1", seq)));
  // Reading 4 resent on another node, in a batch of its own: a second chunk holds it.
  await store.write([reading("d1", 4)], "cs1");
  const result = await auditReadings(t.db, new Map([["d1", setOf(1, 2, 3, 4, 5)]]));
  assert.equal(result.found, 3);
  assert.equal(result.lost_acked, 2);
  assert.deepEqual(result.lost_examples, ["d1:3", "d1:5"]);
  assert.equal(result.duplicates, 0, "every view shows it once");
  assert.equal(result.extra_copies, 1, "the store kept the copy");
});

Deno.test("an audit of a window reads only from its start, so an older acked reading counts as lost", async () => {
  await using t = await openTestDatabase();
  const store = await openReadings(t.db, { node: "cs0" });
  await store.write([1, 2, 3].map((seq) => reading("d1", seq)));
  await store.write([100, 101].map((seq) => reading("d1", seq))); // a chunk of its own
  const window = { from: T0 + 100_000, spanMs: 0 };
  const recent = await auditReadings(t.db, new Map([["d1", setOf(100, 101)]]), { window });
  assert.deepEqual([recent.checked, recent.found, recent.lost_acked], [2, 2, 0]);
  const older = await auditReadings(t.db, new Map([["d1", setOf(3, 100)]]), { window });
  assert.deepEqual([older.lost_acked, older.lost_examples], [1, ["d1:3"]]);
});

Deno.test("an audit of a window finds an acked reading in a chunk that starts long before the window", async () => {
  await using t = await openTestDatabase();
  const store = await openReadings(t.db, { node: "cs0" });
  // One write holding a reading of the device's earlier session, delivered late (seq 3, 60 s
  // old), beside the new session's reading 100: one chunk, starting 60 s before reading 100.
  const late = { ...reading("d1", 3), ts: T0 + 40_000 };
  await store.write([late, reading("d1", 100)]);
  await store.write([101, 102].map((seq) => reading("d1", seq)));
  const window = { from: T0 + 90_000, spanMs: 10_000 };
  const result = await auditReadings(t.db, new Map([["d1", setOf(100, 101, 102)]]), { window });
  assert.deepEqual([result.checked, result.found, result.lost_acked], [3, 3, 0]);
  assert.equal(result.window_missed, 1, "found only by reading from the store's own bound");
  assert.deepEqual(result.window_missed_examples, [
    "d1:100 in a chunk of 2 from cs0 starting 50000 ms before the window",
  ]);
  assert.equal(result.duplicates, 0);
});
