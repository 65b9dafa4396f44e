import assert from "node:assert/strict";
import { Hono } from "hono";
import { z } from "zod";
import { errorHandler } from "./error_handler.ts";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { parseQuery, queryInt } from "./query.ts";

const app = new Hono();
app.onError(errorHandler(createMemoryLogger("web")));
app.get(
  "/api/q",
  (c) => c.json(parseQuery(c, z.strictObject({ limit: queryInt(1, 100).default(10) }))),
);

Deno.test("strict query parsing takes plain decimal integers only", async () => {
  assert.deepEqual(await (await app.request("/api/q?limit=16")).json(), { limit: 16 });
  assert.deepEqual(await (await app.request("/api/q")).json(), { limit: 10 });
  for (const bad of ["0x10", "1e1", "016", "+5", "%205", "5.0", "", "0", "101"]) {
    const response = await app.request(`/api/q?limit=${bad}`);
    assert.equal(response.status, 400, bad);
    assert.match((await response.json()).error.message, /^Invalid query: limit: /, bad);
  }
});

Deno.test("strict query parsing refuses a repeated key and an unknown one", async () => {
  const repeated = await app.request("/api/q?limit=5&limit=6");
  assert.equal(repeated.status, 400);
  assert.equal(
    (await repeated.json()).error.message,
    "Invalid query: limit: given 2 times; give it once",
  );
  const unknown = await app.request("/api/q?limt=5");
  assert.equal(unknown.status, 400);
});
