import assert from "node:assert/strict";
import { descriptorsNeeded, openFileLimit } from "./fd_limit.ts";

Deno.test("fd limit reads the soft open-files limit from /proc/self/limits text", () => {
  const text = [
    "Limit                     Soft Limit           Hard Limit           Units     ",
    "Max open files            20000                40000                files     ",
  ].join("\n");
  assert.equal(openFileLimit(text), 20000);
  assert.equal(openFileLimit(text.replace("20000 ", "unlimited ")), undefined);
  assert.equal(openFileLimit("nothing here"), undefined);
});

Deno.test("fd limit finds this process's own limit on Linux", () => {
  if (Deno.build.os !== "linux") return;
  const limit = openFileLimit();
  assert.ok(limit === undefined || limit > 0);
  assert.equal(descriptorsNeeded(100), 264);
});
