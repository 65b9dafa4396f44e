import assert from "node:assert/strict";
import { Batcher, type BatchOwner } from "./batcher.ts";

function recorder(): BatchOwner<number> & { stored: number[]; refused: number[] } {
  const stored: number[] = [];
  const refused: number[] = [];
  return {
    stored,
    refused,
    onStored: (doc) => stored.push(doc),
    onRefused: (doc) => refused.push(doc),
  };
}

class Refused extends Error {}

Deno.test("batcher writes full batches at once and the rest after the flush interval", async () => {
  const written: number[][] = [];
  const batcher = new Batcher<number>({
    write: (docs) => Promise.resolve(void written.push(docs)),
    maxBatch: 3,
    flushIntervalMs: 20,
    highWater: 10,
  });
  const owner = recorder();
  for (let i = 1; i <= 4; i++) batcher.add({ doc: i, owner });
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(written, [[1, 2, 3]]);
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.deepEqual(written, [[1, 2, 3], [4]]);
  assert.deepEqual(owner.stored, [1, 2, 3, 4]);
  await batcher.close({ flush: true });
});

Deno.test("batcher retries a failed write until it succeeds and only then reports stored", async () => {
  let failures = 2;
  const errors: number[] = [];
  const batcher = new Batcher<number>({
    write: () => failures-- > 0 ? Promise.reject(new Error("db down")) : Promise.resolve(),
    maxBatch: 10,
    flushIntervalMs: 1,
    highWater: 10,
    retryInitialMs: 5,
    onWriteError: (_error, attempt) => errors.push(attempt),
  });
  const owner = recorder();
  batcher.add({ doc: 1, owner });
  await new Promise((resolve) => setTimeout(resolve, 3));
  assert.equal(batcher.failing, true);
  assert.deepEqual(owner.stored, []);
  await batcher.flush();
  assert.deepEqual(errors, [1, 2]);
  assert.deepEqual(owner.stored, [1]);
  assert.equal(batcher.failing, false);
  await batcher.close({ flush: true });
});

Deno.test("batcher reports no room at high water and wakes waiters once written", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const batcher = new Batcher<number>({
    write: () => gate,
    maxBatch: 2,
    flushIntervalMs: 1,
    highWater: 4,
  });
  const owner = recorder();
  for (let i = 0; i < 4; i++) batcher.add({ doc: i, owner });
  assert.equal(batcher.hasRoom, false);
  let woke = false;
  const waiting = batcher.whenRoom().then(() => woke = true);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(woke, false);
  release();
  await waiting;
  assert.equal(batcher.hasRoom, true);
  await batcher.close({ flush: true });
  assert.deepEqual(owner.stored, [0, 1, 2, 3]);
});

Deno.test("closing without flush gives up a failing write and acknowledges nothing", async () => {
  const batcher = new Batcher<number>({
    write: () => Promise.reject(new Error("db down")),
    maxBatch: 1,
    flushIntervalMs: 1,
    highWater: 1,
    retryInitialMs: 5,
  });
  const owner = recorder();
  batcher.add({ doc: 1, owner });
  await new Promise((resolve) => setTimeout(resolve, 2));
  await batcher.close({ flush: false });
  assert.deepEqual(owner.stored, []);
  assert.equal(batcher.pending, 1);
});

Deno.test("batcher splits a batch the database refuses until the bad docs are alone, and stores the rest", async () => {
  const stored: number[] = [];
  const attempts: number[][] = [];
  const batcher = new Batcher<number>({
    write: (docs) => {
      attempts.push(docs);
      if (docs.includes(3) || docs.includes(6)) return Promise.reject(new Refused("bad key"));
      stored.push(...docs);
      return Promise.resolve();
    },
    isPermanent: (error) => error instanceof Refused,
    maxBatch: 8,
    flushIntervalMs: 1,
    highWater: 8,
  });
  const owner = recorder();
  for (let i = 1; i <= 8; i++) batcher.add({ doc: i, owner });
  await batcher.flush();
  assert.deepEqual(owner.refused, [3, 6]);
  assert.deepEqual(owner.stored, [1, 2, 4, 5, 7, 8]);
  assert.deepEqual(stored.sort(), [1, 2, 4, 5, 7, 8]);
  assert.ok(attempts.length <= 1 + 2 * 2 * 3, `bounded splitting: ${attempts.length} writes`);
  assert.equal(batcher.pending, 0);
  await batcher.close({ flush: true });
});

Deno.test("batcher retries a transient error whole instead of splitting it", async () => {
  let failures = 1;
  const attempts: number[][] = [];
  const batcher = new Batcher<number>({
    write: (docs) => {
      attempts.push(docs);
      return failures-- > 0 ? Promise.reject(new Error("timeout")) : Promise.resolve();
    },
    isPermanent: (error) => error instanceof Refused,
    maxBatch: 4,
    flushIntervalMs: 1,
    highWater: 4,
    retryInitialMs: 1,
  });
  const owner = recorder();
  for (let i = 1; i <= 4; i++) batcher.add({ doc: i, owner });
  await batcher.flush();
  assert.deepEqual(attempts, [[1, 2, 3, 4], [1, 2, 3, 4]]);
  assert.deepEqual(owner.refused, []);
  assert.deepEqual(owner.stored, [1, 2, 3, 4]);
  await batcher.close({ flush: true });
});
