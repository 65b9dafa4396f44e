import assert from "node:assert/strict";
import { ProxyMismatchMonitor } from "./proxy_mismatch.ts";

Deno.test("a stray connection without the expected PROXY header does not fail the node", () => {
  const monitor = new ProxyMismatchMonitor({ expected: true });
  for (let i = 0; i < 10; i++) monitor.note("ok", "10.0.0.5:4000", i);
  for (let i = 0; i < 5; i++) monitor.note("missing", "198.51.100.9:5000", 10 + i);
  assert.equal(monitor.problem(20), undefined);
});

Deno.test("mismatches that are most recent connections name the setting, and age out", () => {
  const monitor = new ProxyMismatchMonitor({ expected: false, windowMs: 60_000 });
  monitor.note("ok", "10.0.0.5:4000", 0);
  monitor.note("unexpected", "10.0.0.5:4001", 1);
  monitor.note("unexpected", "10.0.0.5:4002", 2);
  assert.equal(monitor.problem(3), undefined, "two are not enough");
  monitor.note("unexpected", "10.0.0.5:4003", 3);
  const problem = monitor.problem(4);
  assert.match(problem ?? "", /3 of the last 4 connections \(from 10\.0\.0\.5\)/);
  assert.match(problem ?? "", /began with a PROXY header, but --proxy-protocol is off/);
  assert.equal(monitor.problem(61_004), undefined, "a quiet minute later the node may go back");
});

Deno.test("mismatches are logged once, then at most every 10 s with a count of the rest", () => {
  const monitor = new ProxyMismatchMonitor({ expected: true });
  assert.deepEqual(monitor.note("missing", "a:1", 0), { log: true, unlogged: 0 });
  assert.deepEqual(monitor.note("missing", "a:1", 5_000), { log: false, unlogged: 0 });
  assert.deepEqual(monitor.note("missing", "a:1", 6_000), { log: false, unlogged: 0 });
  assert.deepEqual(monitor.note("missing", "a:1", 10_000), { log: true, unlogged: 2 });
  assert.match(monitor.reason("missing"), /no PROXY protocol header.*--proxy-protocol/);
});
