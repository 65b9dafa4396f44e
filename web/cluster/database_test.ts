import assert from "node:assert/strict";
import type { Db } from "mongodb";
import { describeDatabase } from "./database.ts";

/** A Db that answers like a mongos in front of two shards, or fails what `fail` names. */
function fakeMongos(fail: string[] = []): Db {
  const perShard: Record<string, [number, number]> = {
    readings_raw: [600, 400],
    readings_1m: [30, 20],
    readings_1h: [3, 2],
  };
  const command = (cmd: Record<string, unknown>) => {
    const name = Object.keys(cmd)[0];
    if (fail.includes(name)) return Promise.reject(new Error(`not authorized on admin: ${name}`));
    if (name === "buildInfo") return Promise.resolve({ version: "7.0.14", ok: 1 });
    if (name === "hello") return Promise.resolve({ msg: "isdbgrid", ok: 1 });
    if (name === "listShards") {
      return Promise.resolve({
        shards: [
          { _id: "rs-b", host: "rs-b/db3:27018,db4:27018", state: 1 },
          { _id: "rs-a", host: "rs-a/db1:27018,db2:27018", state: 1 },
        ],
        ok: 1,
      });
    }
    return Promise.reject(new Error(`unexpected command ${name}`));
  };
  const collection = (name: string) => ({
    estimatedDocumentCount: () =>
      Promise.resolve(name === "devices" ? 10_000 : perShard[name][0] + perShard[name][1]),
    aggregate: (pipeline: Record<string, unknown>[]) => ({
      toArray: () => {
        assert.deepEqual(pipeline, [{ $collStats: { storageStats: {} } }]);
        if (fail.includes("$collStats")) return Promise.reject(new Error("$collStats: denied"));
        const [b, a] = perShard[name];
        return Promise.resolve([
          { shard: "rs-b", storageStats: { count: b, size: b * 100 } },
          { shard: "rs-a", storageStats: { count: a, size: a * 100 } },
        ]);
      },
    }),
  });
  return { databaseName: "fleetmon", admin: () => ({ command }), collection } as unknown as Db;
}

Deno.test("behind a mongos the database view lists the shards and each readings collection's spread", async () => {
  const view = await describeDatabase(fakeMongos());
  assert.equal(view.server, "MongoDB");
  assert.equal(view.version, "7.0.14");
  assert.equal(view.topology, "sharded");
  assert.deepEqual(view.shards.map((s) => s.id), ["rs-b", "rs-a"]);
  assert.deepEqual(view.counts, {
    devices: 10_000,
    readings_raw: 1_000,
    readings_1m: 50,
    readings_1h: 5,
  });
  assert.deepEqual(
    view.readings.map((r) => `${r.collection} ${r.shard} ${r.count} ${r.sizeBytes}`),
    [
      "readings_raw rs-a 400 40000",
      "readings_raw rs-b 600 60000",
      "readings_1m rs-a 20 2000",
      "readings_1m rs-b 30 3000",
      "readings_1h rs-a 2 200",
      "readings_1h rs-b 3 300",
    ],
  );
  assert.deepEqual(view.notes, []);
});

Deno.test("what the server refuses is a note with the reason, the rest is still shown", async () => {
  const view = await describeDatabase(fakeMongos(["listShards", "$collStats"]));
  assert.equal(view.topology, "sharded");
  assert.deepEqual(view.shards, []);
  assert.deepEqual(view.readings, []);
  assert.equal(view.counts.readings_raw, 1_000);
  assert.deepEqual(view.notes, [
    "listShards: not authorized on admin: listShards",
    "readings_raw spread ($collStats): $collStats: denied",
    "readings_1m spread ($collStats): $collStats: denied",
    "readings_1h spread ($collStats): $collStats: denied",
  ]);
});
