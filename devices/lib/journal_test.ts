import assert from "node:assert/strict";
import { FileJournal, replayJournal } from "./journal.ts";
import type { BufferedReading } from "./unacked_buffer.ts";

const reading = (seq: number): BufferedReading => ({ seq, ts: 1_000 + seq, metrics: { v: seq } });

Deno.test("replay keeps what was buffered and neither acked nor removed", () => {
  const text = [
    '{"s":10}',
    '{"r":11,"ts":1011,"m":{"v":11}}',
    '{"r":12,"ts":1012,"m":{"v":12}}',
    '{"r":13,"ts":1013,"m":{"v":13}}',
    '{"r":14,"ts":1014,"m":{"v":14}}',
    '{"a":11,"to":12}',
    '{"x":14}',
    "",
  ].join("\n");
  const state = replayJournal(text);
  assert.deepEqual(state.readings, [reading(13)]);
  assert.equal(state.lastSeq, 14, "the last seq survives even when its reading is gone");
  assert.equal(state.lines, 7);
  assert.equal(state.skipped, 0);
});

Deno.test("replay ignores a torn last line and counts garbage it skipped", () => {
  const state = replayJournal('{"r":1,"ts":1001,"m":{"v":1}}\nnot json\n{"q":1}\n{"r":2,"ts":10');
  assert.deepEqual(state.readings, [reading(1)]);
  assert.equal(state.lastSeq, 1);
  assert.equal(state.skipped, 2);
  assert.deepEqual(replayJournal(""), { readings: [], lastSeq: 0, lines: 0, skipped: 0 });
});

Deno.test("a reopened journal holds exactly the unacknowledged readings", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/buffer.jsonl`;
    const first = FileJournal.open(path);
    assert.deepEqual(first.state.readings, []);
    for (let seq = 1; seq <= 5; seq++) first.journal.added(reading(seq));
    first.journal.acked(1, 2);
    first.journal.removed(4);
    first.journal.close();

    const second = FileJournal.open(path);
    assert.deepEqual(second.state.readings, [reading(3), reading(5)]);
    assert.equal(second.state.lastSeq, 5);
    second.journal.close();
    assert.equal(Deno.readTextFileSync(path).trim().split("\n").length, 3, "snapshot on open");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a journal much longer than its live readings is compacted", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/buffer.jsonl`;
    const { journal } = FileJournal.open(path);
    const live = new Map<number, BufferedReading>();
    for (let seq = 1; seq <= 1_000; seq++) {
      journal.added(reading(seq));
      live.set(seq, reading(seq));
      if (seq % 10 !== 0) {
        journal.acked(seq, seq);
        live.delete(seq);
      }
      journal.compactIfLarge(() => live.values(), live.size, seq);
    }
    assert.ok(journal.lines < 1_000, `still ${journal.lines} lines`);
    journal.close();
    const reopened = FileJournal.open(path);
    assert.deepEqual(reopened.state.readings, [...live.values()]);
    assert.equal(reopened.state.lastSeq, 1_000);
    reopened.journal.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
