import assert from "node:assert/strict";
import { buildChunks, type ChunkDoc, chunkSeqs, type Reading, unpackChunk } from "./chunks.ts";

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const NOW = new Date(T0 + 60_000);

Deno.test("a chunk keeps its readings' times, values and seqs in one string and gives them back", () => {
  const readings: Reading[] = [
    { device: "d", seq: 7, ts: T0 + 2_000, metrics: { cpu: 0.25, "mem:used_bytes": 1e9 } },
    { device: "d", seq: 6, ts: T0, metrics: { cpu: 0.5 } },
  ];
  const [chunk] = buildChunks(readings, "cs0", NOW);
  assert.equal(typeof chunk.v, "string");
  assert.equal(chunk.t, undefined);
  assert.equal(chunk.m, undefined);
  assert.equal(chunk.s, undefined);
  assert.equal(chunk.s0, 6);
  assert.deepEqual(chunkSeqs(chunk), [6, 7]);
  assert.deepEqual(unpackChunk(chunk), [
    { ...readings[1], receivedAt: NOW.getTime(), node: "cs0" },
    { ...readings[0], receivedAt: NOW.getTime(), node: "cs0" },
  ]);
});

Deno.test("chunks written before, with columns or seqs as fields, are still read", () => {
  const old: ChunkDoc = {
    _id: "d|x",
    d: "d",
    t0: new Date(T0),
    t1: new Date(T0 + 1_000),
    s: [1, 2],
    t: [0, 1_000],
    m: { cpu: [1, null], mem: [null, 2] },
    w: NOW,
    node: "cs1",
  };
  assert.deepEqual(unpackChunk(old).map((r) => [r.seq, r.ts, r.metrics]), [
    [1, T0, { cpu: 1 }],
    [2, T0 + 1_000, { mem: 2 }],
  ]);
  assert.deepEqual(chunkSeqs(old), [1, 2]);
  const withSeqs = {
    ...old,
    t: undefined,
    m: undefined,
    v: JSON.stringify([[0, 1_000], { cpu: [1, 2] }]),
  };
  assert.deepEqual(unpackChunk(withSeqs).map((r) => [r.seq, r.ts]), [[1, T0], [2, T0 + 1_000]]);
  assert.deepEqual(chunkSeqs(withSeqs), [1, 2]);
});
