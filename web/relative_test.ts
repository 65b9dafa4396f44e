import assert from "node:assert/strict";
import { nextFor, rootRelative, safeNext } from "./relative.ts";

Deno.test("rootRelative climbs one level per directory in the path", () => {
  assert.equal(rootRelative("/"), "./");
  assert.equal(rootRelative("/devices"), "./");
  assert.equal(rootRelative("/devices/"), "../");
  assert.equal(rootRelative("/devices/pump-1"), "../");
  assert.equal(rootRelative("/api/devices/pump-1/readings"), "../../../");
});

Deno.test("safeNext accepts only our own page paths, never another host", () => {
  assert.equal(safeNext("devices"), "devices");
  assert.equal(safeNext("devices/pump%3A1"), "devices/pump%3A1");
  assert.equal(safeNext("cluster"), "cluster");
  for (
    const bad of [
      "//evil.example",
      "https://evil.example/",
      "/devices",
      "devices/../x",
      "devices/..",
      "",
      3,
    ]
  ) {
    assert.equal(safeNext(bad), undefined, String(bad));
  }
  assert.equal(nextFor("/devices/pump-1"), "devices/pump-1");
  assert.equal(nextFor("/api/me"), undefined);
});
