import assert from "node:assert/strict";
import { SeqSet } from "./seq_set.ts";
import { seededRandom } from "./prng.ts";

Deno.test("consecutive seqs collapse into one range", () => {
  const set = new SeqSet();
  for (let seq = 100; seq < 1_100; seq++) assert.equal(set.add(seq), true);
  assert.equal(set.size, 1_000);
  assert.equal(set.rangeCount, 1);
  assert.deepEqual([...set.ranges()], [[100, 1_099]]);
  assert.equal(set.has(99), false);
  assert.equal(set.has(100), true);
  assert.equal(set.has(1_099), true);
  assert.equal(set.has(1_100), false);
});

Deno.test("seqs added out of order fill gaps and merge ranges", () => {
  const set = new SeqSet();
  for (const seq of [1, 2, 5, 6, 9, 4, 3, 8, 7, 20, 10]) set.add(seq);
  assert.deepEqual([...set.ranges()], [[1, 10], [20, 20]]);
  assert.equal(set.add(5), false, "already there");
  assert.equal(set.size, 11);
  assert.equal(set.min, 1);
  assert.equal(set.max, 20);
});

Deno.test("the set agrees with a plain Set on random input", () => {
  const random = seededRandom(5);
  const set = new SeqSet();
  const plain = new Set<number>();
  for (let i = 0; i < 5_000; i++) {
    const seq = 1 + Math.floor(random() * 3_000);
    assert.equal(set.add(seq), !plain.has(seq));
    plain.add(seq);
  }
  assert.equal(set.size, plain.size);
  for (let seq = 0; seq <= 3_001; seq++) assert.equal(set.has(seq), plain.has(seq), `seq ${seq}`);
  let previousEnd = -Infinity;
  for (const [from, to] of set.ranges()) {
    assert.ok(from > previousEnd + 1 && to >= from);
    previousEnd = to;
  }
});
