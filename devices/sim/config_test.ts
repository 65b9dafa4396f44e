import assert from "node:assert/strict";
import { ConfigError } from "@fleetmon/shared/errors";
import { loadSimConfig } from "./config.ts";

Deno.test("sim config reads the launcher's flags and defaults to a gentle rate", () => {
  const config = loadSimConfig(
    ["--devices=1000", "--duration=0", "--target=127.0.0.1:7000"],
    { MONGODB_URI: "mongodb://127.0.0.1:27018/fleetmon" },
  );
  assert.equal(config.devices, 1_000);
  assert.equal(config.duration, 0);
  assert.equal(config.rate, 0.2);
  assert.deepEqual(config.target, { hostname: "127.0.0.1", port: 7000 });
  assert.equal(config.mongodbUri, "mongodb://127.0.0.1:27018/fleetmon");
  assert.equal(config.prefix, "sim");
});

Deno.test("sim config lists every problem", () => {
  assert.throws(
    () => loadSimConfig(["--devices=0", "--rate=-1", "--target=nowhere"], {}, () => undefined),
    (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 4, error.problems.join("; "));
      assert.match(error.problems.join("\n"), /mongodbUri/);
      return true;
    },
  );
});

Deno.test("without a database URI, sim uses the database and lb(comm) of the running deno task start", () => {
  const local = () => ({
    mongodbUri: "mongodb://127.0.0.1:27118/fleetmon",
    lbComm: "127.0.0.1:7100",
    pid: 1,
  });
  const config = loadSimConfig([], {}, local);
  assert.equal(config.mongodbUri, "mongodb://127.0.0.1:27118/fleetmon");
  assert.deepEqual(config.target, { hostname: "127.0.0.1", port: 7100 });
  const given = loadSimConfig([], { MONGODB_URI: "mongodb://db:1/x" }, local);
  assert.equal(given.mongodbUri, "mongodb://db:1/x", "a given URI wins");
  assert.deepEqual(given.target, { hostname: "127.0.0.1", port: 7000 });
});
