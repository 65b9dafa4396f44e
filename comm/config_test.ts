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
