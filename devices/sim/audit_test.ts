import assert from "node:assert/strict";
import { collections, type ReadingDoc } from "@fleetmon/shared/db";
import { openTestDatabase, testServerIsFerretDB } from "@fleetmon/shared/testing";
import { auditReadings, AuditTally, chooseAuditStrategy } from "./audit.ts";
import { SeqSet } from "./seq_set.ts";

const setOf = (...seqs: number[]) => {
  const set = new SeqSet();
  for (const seq of seqs) set.add(seq);
  return set;
};
const reading = (device: string, seq: number, id = `${device}:${seq}`): ReadingDoc => ({
  _id: id,
  device,
  seq,
  ts: new Date(),
  metrics: { v: seq },
  receivedAt: new Date(),
  node: "cs0",
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
  const readings = collections(t.db).readings;
  await readings.insertMany([1, 2, 3, 4].map((seq) => reading("d1", seq)));
  await readings.insertMany([10, 11].map((seq) => reading("d2", seq)));
  await readings.insertOne(reading("d3", 1)); // not part of the run
  const acked = new Map([["d1", setOf(1, 2, 3)], ["d2", setOf(10, 11)], ["d4", new SeqSet()]]);
  for (const strategy of ["scan", "by-device"] as const) {
    const result = await auditReadings(t.db, acked, { strategy, devicesPerQuery: 1 });
    assert.equal(result.checked, 5, strategy);
    assert.equal(result.found, 5, strategy);
    assert.equal(result.lost_acked, 0, strategy);
    assert.equal(result.duplicates, 0, strategy);
  }
});

Deno.test("the audit reports acked readings missing from the database and stored twice", async () => {
  await using t = await openTestDatabase();
  const readings = collections(t.db).readings;
  await readings.insertMany([1, 2, 4].map((seq) => reading("d1", seq)));
  // A second document for (d1, 4) under another _id: what a broken writer would leave.
  await readings.insertOne(reading("d1", 4, "d1:4:copy"));
  for (const strategy of ["scan", "by-device"] as const) {
    const result = await auditReadings(t.db, new Map([["d1", setOf(1, 2, 3, 4, 5)]]), { strategy });
    assert.equal(result.found, 3, strategy);
    assert.equal(result.lost_acked, 2, strategy);
    assert.deepEqual(result.lost_examples, ["d1:3", "d1:5"], strategy);
    assert.equal(result.duplicates, 1, strategy);
  }
  if (testServerIsFerretDB()) {
    assert.equal(await chooseAuditStrategy(t.db), "scan", "FerretDB gets the single scan");
  }
});
