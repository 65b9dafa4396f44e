import assert from "node:assert/strict";
import { IdleSweeper } from "./idle_sweeper.ts";

function connection(name: string, closed: string[]) {
  return { name, progress: 0, close: (reason: string) => closed.push(`${name}: ${reason}`) };
}

Deno.test("idle sweeper closes a connection with no progress for the timeout, and keeps one that moves", () => {
  let clock = 0;
  const closed: string[] = [];
  const [quiet, busy] = [connection("quiet", closed), connection("busy", closed)];
  const open = new Set([quiet, busy]);
  const sweeper = new IdleSweeper(() => open, 1000, () => clock);
  try {
    for (const at of [0, 500, 999]) {
      clock = at;
      busy.progress++;
      sweeper.sweep();
    }
    assert.deepEqual(closed, []);
    clock = 1000;
    busy.progress++;
    sweeper.sweep();
    assert.deepEqual(closed, ["quiet: idle for 1000 ms"]);
    assert.equal(sweeper.closed, 1);
  } finally {
    sweeper.stop();
  }
});

Deno.test("idle sweeper starts counting afresh for a connection that went away and came back", () => {
  let clock = 0;
  const closed: string[] = [];
  const conn = connection("c", closed);
  const open = new Set([conn]);
  const sweeper = new IdleSweeper(() => open, 1000, () => clock);
  try {
    sweeper.sweep();
    open.clear();
    clock = 600;
    sweeper.sweep();
    open.add(conn);
    clock = 1200;
    sweeper.sweep();
    assert.deepEqual(closed, [], "forgotten while gone, so seen anew at 1200");
    clock = 2200;
    sweeper.sweep();
    assert.deepEqual(closed, ["c: idle for 1000 ms"]);
  } finally {
    sweeper.stop();
  }
});
