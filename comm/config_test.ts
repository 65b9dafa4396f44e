import assert from "node:assert/strict";
import { ConfigError } from "@fleetmon/shared/errors";
import { loadCommConfig } from "./config.ts";

Deno.test("comm config takes flags over env and keeps the defaults", () => {
  const config = loadCommConfig([
    "--node",
    "cs1",
    "--listen",
    "0.0.0.0:7101",
    "--proxy-protocol",
    "true",
  ], {
    MONGODB_URI: "mongodb://mongos:27017/fleetmon",
    COMM_NODE: "cs0",
    COMM_MAX_BATCH: "500",
  });
  assert.equal(config.node, "cs1");
  assert.deepEqual(config.listen, { hostname: "0.0.0.0", port: 7101 });
  assert.equal(config.maxBatch, 500);
  assert.equal(config.proxyProtocol, true);
  assert.equal(config.flushIntervalMs, 250);
  assert.equal(config.store, "mongodb");
  assert.equal(config.writeConcern, "majority");
  assert.deepEqual(
    [config.retentionRawMs, config.retention1mMs, config.retention1hMs, config.retentionSweepMs],
    [7 * 86_400_000, 90 * 86_400_000, 730 * 86_400_000, 3_600_000],
  );
});

Deno.test("comm config sets the write concern and each tier's retention", () => {
  const config = loadCommConfig([
    "--write-concern",
    "1",
    "--retention-raw-ms",
    "86400000",
    "--retention-1m-ms",
    "172800000",
    "--retention-sweep-ms",
    "0",
  ], { MONGODB_URI: "mongodb://127.0.0.1/fm", COMM_NODE: "cs0", COMM_RETENTION_1H_MS: "1000" });
  assert.equal(config.writeConcern, 1);
  assert.equal(config.retentionRawMs, 86_400_000);
  assert.equal(config.retention1mMs, 2 * 86_400_000, "a flag whose name has a digit");
  assert.equal(config.retention1hMs, 1_000, "and its variable");
  assert.equal(config.retentionSweepMs, 0);
  assert.equal(
    loadCommConfig([], { MONGODB_URI: "mongodb://x/y", COMM_WRITE_CONCERN: "majority" })
      .writeConcern,
    "majority",
  );
});

Deno.test("bad comm config fails at once naming every problem", () => {
  assert.throws(
    () =>
      loadCommConfig(
        ["--node", "a b", "--max-batch", "5000", "--high-water", "100", "--store", "disk"],
        {},
      ),
    (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((p) => p.split(":")[0]), [
        "node (--node or COMM_NODE)",
        "mongodbUri (--mongodb-uri or MONGODB_URI or COMM_MONGODB_URI)",
        "store (--store or COMM_STORE)",
      ]);
      return true;
    },
  );
  assert.throws(
    () =>
      loadCommConfig(["--node", "cs0", "--max-batch", "5000", "--high-water", "100"], {
        MONGODB_URI: "mongodb://x/y",
      }),
    /highWater \(--high-water or COMM_HIGH_WATER\): must be at least maxBatch/,
  );
});

Deno.test("a comm node without --node takes the host's short name as its id", () => {
  const config = loadCommConfig([], { MONGODB_URI: "mongodb://127.0.0.1/fm" });
  assert.equal(config.node, Deno.hostname().split(".")[0]);
});
