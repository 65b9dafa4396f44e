import assert from "node:assert/strict";
import { z } from "zod";
import { loadConfig, millisecondsSchema, parseConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { hostPortSchema } from "./net.ts";

const schema = z.object({
  listen: hostPortSchema.prefault("127.0.0.1:7000"),
  node: z.string().min(1),
  timeoutMs: millisecondsSchema.default(1000),
  backend: z.array(hostPortSchema).min(1),
});

const sources = {
  env: { FLEET_NODE: "cs0", FLEET_TIMEOUT: "250" },
  envKeys: { FLEET_NODE: "node", FLEET_TIMEOUT: "timeoutMs" },
  flags: {
    listen: { type: "string" },
    node: { type: "string" },
    backend: { type: "string", multiple: true },
  },
} as const;

Deno.test("config takes env, then flags over env, with defaults for the rest", () => {
  const config = loadConfig("lb", schema, {
    ...sources,
    args: ["--node", "cs1", "--backend", "127.0.0.1:1", "--backend", "[::1]:2"],
  });
  assert.equal(config.node, "cs1");
  assert.equal(config.timeoutMs, 250);
  assert.deepEqual(config.listen, { hostname: "127.0.0.1", port: 7000 });
  assert.deepEqual(config.backend, [{ hostname: "127.0.0.1", port: 1 }, {
    hostname: "::1",
    port: 2,
  }]);
});

Deno.test("config lists every problem at once", () => {
  try {
    parseConfig("lb", schema, { listen: "nowhere", timeoutMs: "-5" });
    assert.fail("expected a ConfigError");
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 4, error.message);
    assert.match(error.message, /listen: Cannot parse address: "nowhere" is not host:port/);
    assert.match(error.message, /node: /);
    assert.match(error.message, /timeoutMs: /);
    assert.match(error.message, /backend: /);
  }
});

Deno.test("config rejects unknown flags with the flag named", () => {
  assert.throws(
    () => loadConfig("lb", schema, { ...sources, args: ["--bogus", "1"] }),
    (error: Error) => error instanceof ConfigError && /bogus/.test(error.message),
  );
});

Deno.test("config reads a JSON file given with --config, under env and flags", () => {
  const path = Deno.makeTempFileSync({ suffix: ".json" });
  try {
    Deno.writeTextFileSync(path, JSON.stringify({ node: "file", backend: ["10.0.0.1:80"] }));
    const config = loadConfig("lb", schema, { ...sources, args: ["--config", path], env: {} });
    assert.equal(config.node, "file");
    assert.equal(config.backend[0].hostname, "10.0.0.1");
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("config names the flag and variable that set a missing setting", () => {
  assert.throws(
    () => loadConfig("lb", schema, { ...sources, args: [], env: {} }),
    (error: Error) =>
      error instanceof ConfigError &&
      error.problems.includes("node (--node or FLEET_NODE): required") &&
      error.problems.includes("backend (--backend): required"),
  );
});
