import assert from "node:assert/strict";
import { packCells, unpackCells } from "./cell_codec.ts";

const START = 1e12 + 60_000;
const cpu = { min: 0.1, max: 0.95, sum: 3.3000000000000003, count: 7, last: 0.5, lastTs: START };
const mem = { min: 4096, max: 4096, sum: 4096, count: 1, last: 4096, lastTs: START + 59_999 };
const odd = { min: -2, max: 1e300, sum: 5e-324, count: 1, last: -2, lastTs: START + 1 };

Deno.test("rollup cells pack into one string with names sorted and unpack to the same figures", () => {
  const packed = packCells(new Map([["mem", mem], ["cpu", cpu], ["odd", odd]]), START);
  assert.equal(typeof packed, "string");
  assert.ok(packed.startsWith('{"cpu":['), packed);
  assert.equal(packed, packCells({ cpu, mem, odd }, START), "the same cells always pack the same");
  assert.deepEqual(unpackCells(packed, START), { cpu, mem, odd });
});

Deno.test("a cell of one value packs as the value and its time after the cell's start", () => {
  assert.equal(packCells({ mem }, START), '{"mem":[4096,59999]}');
  assert.equal(packCells({ cpu }, START), '{"cpu":[0.1,0.95,3.3000000000000003,7,0.5,0]}');
});

Deno.test("cells stored before are read as they are: objects, and strings with absolute times", () => {
  assert.deepEqual(unpackCells({ cpu }, START), { cpu });
  const old = JSON.stringify({ cpu: [0.1, 0.95, 3.3000000000000003, 7, 0.5, START + 5] });
  assert.deepEqual(unpackCells(old, START), { cpu: { ...cpu, lastTs: START + 5 } });
});
