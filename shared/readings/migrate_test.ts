import assert from "node:assert/strict";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { countedIn } from "./_test_helpers.ts";
import { assertCurrentLayout, migrateOldLayout, OldLayoutError, openReadings } from "./mod.ts";

Deno.test("a database in the old layout is refused with what to run, and db:migrate moves it", async () => {
  await using t = await openTestDatabase();
  await assertCurrentLayout(t.db); // an empty database is fine
  const t0 = Date.now() - 3_600_000;
  const old = Array.from({ length: 250 }, (_, i) => ({
    _id: `d${i % 3}:${i + 1}`,
    device: `d${i % 3}`,
    seq: i + 1,
    ts: new Date(t0 + i * 1_000),
    metrics: { cpu: i },
    receivedAt: new Date(t0 + i * 1_000 + 5),
    node: "cs0",
  }));
  await t.db.collection("readings").insertMany(old as never[]);
  await assert.rejects(assertCurrentLayout(t.db), (error: Error) => {
    assert.ok(error instanceof OldLayoutError);
    assert.match(error.message, /old layout .*deno task db:migrate/s);
    return true;
  });

  const readings = await openReadings(t.db, { node: "db-migrate" });
  const progress: number[] = [];
  const result = await migrateOldLayout(t.db, readings, (n) => progress.push(n), 100);
  assert.equal(result.read, 250);
  assert.deepEqual(progress, [100, 200, 250]);
  await assertCurrentLayout(t.db);
  const d1 = await readings.range("d1", 0, Date.now());
  assert.deepEqual(d1.map((r) => r.seq), old.filter((r) => r.device === "d1").map((r) => r.seq));
  assert.deepEqual(d1[0].metrics, { cpu: 1 });
  assert.equal(await countedIn(t.db, "1m", "d0"), 84, "rollups built as well");
});
