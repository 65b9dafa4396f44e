import assert from "node:assert/strict";
import type { Document } from "mongodb";
import { connectDatabase } from "@fleetmon/shared/db";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { type Commander, initDatabase, READINGS_SHARD_KEY } from "./init.ts";

/** A fake server that answers like a mongos (or a mongod) and records every command. */
function recordingServer(kind: "mongos" | "mongod", sharded: Record<string, Document> = {}) {
  const sent: [string, Document][] = [];
  const commander: Commander = {
    command(db, command) {
      sent.push([db, command]);
      const name = Object.keys(command)[0];
      const batch = (firstBatch: unknown[]) => Promise.resolve({ ok: 1, cursor: { firstBatch } });
      if (name === "hello") return Promise.resolve(kind === "mongos" ? { msg: "isdbgrid" } : {});
      if (name === "buildInfo") return Promise.resolve({ version: "7.0.12" });
      if (name === "listCollections") return batch([{ name: "readings_1h" }]);
      if (name === "find") {
        const key = sharded[command.filter._id];
        return batch(key ? [{ _id: command.filter._id, key }] : []);
      }
      return Promise.resolve({ ok: 1 });
    },
  };
  return { sent, commander };
}

Deno.test("db:init against a mongos creates what is missing and shards readings on {d: hashed, _id: 1}", async () => {
  const { sent, commander } = recordingServer("mongos");
  const report = await initDatabase(commander, "fleetmon");
  const key = { d: "hashed", _id: 1 };
  assert.deepEqual(sent, [
    ["admin", { hello: 1 }],
    ["admin", { buildInfo: 1 }],
    ["fleetmon", { listCollections: 1, nameOnly: true }],
    ["fleetmon", { create: "readings_raw" }],
    ["fleetmon", { create: "readings_1m" }],
    ["admin", { enableSharding: "fleetmon" }],
    ...["readings_raw", "readings_1m", "readings_1h"].flatMap((c) =>
      [
        ["config", { find: "collections", filter: { _id: `fleetmon.${c}` } }],
        ["fleetmon", { createIndexes: c, indexes: [{ key, name: "d_hashed__id" }] }],
        ["admin", { shardCollection: `fleetmon.${c}`, key }],
      ] as [string, Document][]
    ),
  ]);
  assert.deepEqual(report.sharded, ["readings_raw", "readings_1m", "readings_1h"]);
  assert.equal(report.server, "mongos");
});

Deno.test("db:init run again shards nothing twice, and refuses a collection sharded on another key", async () => {
  const done = Object.fromEntries(
    ["readings_raw", "readings_1m", "readings_1h"].map((
      c,
    ) => [`fleetmon.${c}`, READINGS_SHARD_KEY]),
  );
  const again = recordingServer("mongos", done);
  const report = await initDatabase(again.commander, "fleetmon");
  assert.deepEqual(report.sharded, []);
  assert.deepEqual(report.alreadySharded, ["readings_raw", "readings_1m", "readings_1h"]);
  assert.ok(!again.sent.some(([, c]) => "shardCollection" in c || "createIndexes" in c));

  const other = recordingServer("mongos", { "fleetmon.readings_raw": { _id: "hashed" } });
  await assert.rejects(initDatabase(other.commander, "fleetmon"), /sharded on \{"_id":"hashed"\}/);
});

Deno.test("db:init against a plain server creates the collections and says it skips sharding", async () => {
  const { sent, commander } = recordingServer("mongod");
  const lines: string[] = [];
  const report = await initDatabase(commander, "fleetmon", (line) => lines.push(line));
  assert.match(report.skipped!, /plain MongoDB server is not a mongos: sharding skipped/);
  assert.ok(lines.some((l) => /sharding skipped/.test(l)));
  assert.ok(!sent.some(([, c]) => "enableSharding" in c || "shardCollection" in c));
});

Deno.test("db:init on FerretDB creates the readings collections once and skips sharding", async () => {
  await using t = await openTestDatabase();
  const commander: Commander = { command: (db, c) => t.client.db(db).command(c) };
  const first = await initDatabase(commander, t.db.databaseName);
  assert.equal(first.server, "ferretdb");
  assert.deepEqual(first.created, ["readings_raw", "readings_1m", "readings_1h"]);
  assert.match(first.skipped!, /FerretDB is not a mongos/);
  const second = await initDatabase(commander, t.db.databaseName);
  assert.deepEqual(second.created, [], "idempotent");
});

const shardedUri = Deno.env.get("MONGODB_SHARDED_URI");
Deno.test({
  name: shardedUri
    ? "db:init shards readings on a real sharded cluster, and a device's reads target one shard"
    : "db:init on a real sharded cluster: SKIPPED, MONGODB_SHARDED_URI is not set",
  ignore: !shardedUri,
  async fn() {
    const name = `fleetmon_init_${crypto.randomUUID().slice(0, 8)}`;
    const database = await connectDatabase(shardedUri!, { appName: "fleetmon-test" });
    try {
      const commander: Commander = { command: (db, c) => database.client.db(db).command(c) };
      const report = await initDatabase(commander, name);
      assert.equal(report.server, "mongos");
      assert.deepEqual(report.sharded, ["readings_raw", "readings_1m", "readings_1h"]);
      const again = await initDatabase(commander, name);
      assert.deepEqual(again.sharded, []);
      const raw = database.client.db(name).collection<{ _id: string; d: string }>("readings_raw");
      const plan = await raw.find({ d: "dev-1", _id: { $gte: "dev-1|", $lt: "dev-1}" } })
        .explain() as Document;
      const shards = plan.queryPlanner?.winningPlan?.shards ?? [];
      assert.equal(shards.length, 1, `targeted: ${JSON.stringify(plan.queryPlanner?.winningPlan)}`);
    } finally {
      await database.client.db(name).dropDatabase().catch(() => {});
      await database.close();
    }
  },
});
