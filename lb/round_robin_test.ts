import assert from "node:assert/strict";
import { RoundRobin } from "./round_robin.ts";

const all = (_: number) => true;

function picks(strategy: RoundRobin<number>, targets: number[], count: number, ok = all) {
  return Array.from({ length: count }, () => strategy.pick(targets, ok));
}

Deno.test("round robin goes 0, 1, 2, then back to 0", () => {
  assert.deepEqual(picks(new RoundRobin(), [0, 1, 2], 7), [0, 1, 2, 0, 1, 2, 0]);
});

Deno.test("round robin skips a target that may not take connections, and keeps the order", () => {
  const strategy = new RoundRobin<number>();
  const healthy = (n: number) => n !== 1;
  assert.deepEqual(picks(strategy, [0, 1, 2], 4, healthy), [0, 2, 0, 2]);
});

Deno.test("round robin carries on after the last pick when a target comes back", () => {
  const strategy = new RoundRobin<number>();
  assert.deepEqual(picks(strategy, [0, 1, 2], 2, (n) => n !== 1), [0, 2]);
  assert.deepEqual(picks(strategy, [0, 1, 2], 3), [0, 1, 2]);
});

Deno.test("round robin returns undefined when no target may take a connection", () => {
  const strategy = new RoundRobin<number>();
  assert.equal(strategy.pick([0, 1, 2], () => false), undefined);
  assert.equal(strategy.pick([], all), undefined);
  assert.equal(strategy.pick([7], all), 7, "and still works afterwards");
});

Deno.test("round robin on retry moves past the target that just failed", () => {
  const strategy = new RoundRobin<number>();
  const tried = new Set<number>();
  const first = strategy.pick([0, 1, 2], (n) => !tried.has(n))!;
  tried.add(first);
  assert.equal(strategy.pick([0, 1, 2], (n) => !tried.has(n)), 1);
});

Deno.test("round robin leaves the target list as it was", () => {
  const targets = [2, 0, 1];
  picks(new RoundRobin(), targets, 5);
  assert.deepEqual(targets, [2, 0, 1]);
});
