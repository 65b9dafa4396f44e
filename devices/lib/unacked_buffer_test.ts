import assert from "node:assert/strict";
import { type BufferedReading, UnackedBuffer } from "./unacked_buffer.ts";

const reading = (seq: number): BufferedReading => ({ seq, ts: 1_000 + seq, metrics: { v: seq } });
const seqs = (readings: Iterable<BufferedReading>) => [...readings].map((r) => r.seq);
function filled(limit: number, ...list: number[]): UnackedBuffer {
  const buffer = new UnackedBuffer(limit);
  for (const seq of list) buffer.add(reading(seq));
  return buffer;
}
function takeAll(buffer: UnackedBuffer): number[] {
  const taken: number[] = [];
  for (let r = buffer.takeNext(); r; r = buffer.takeNext()) taken.push(r.seq);
  return taken;
}

Deno.test("buffer hands out pending readings in seq order, each once", () => {
  const buffer = filled(10, 3, 5, 9);
  assert.deepEqual(takeAll(buffer), [3, 5, 9]);
  assert.equal(buffer.inFlight, 3);
  assert.equal(buffer.pending, 0);
  buffer.add(reading(12));
  assert.deepEqual(takeAll(buffer), [12]);
});

Deno.test("buffer refuses a seq that does not increase", () => {
  const buffer = filled(10, 5);
  assert.throws(() => buffer.add(reading(5)), /seq 5 is not above the last one, 5/);
  assert.throws(() => buffer.add(reading(4)), RangeError);
});

Deno.test("an ack range removes exactly the readings inside it", () => {
  const buffer = filled(10, 1, 2, 3, 4, 5, 6);
  takeAll(buffer);
  assert.deepEqual(seqs(buffer.ack(2, 4)), [2, 3, 4]);
  assert.deepEqual(seqs(buffer.readings()), [1, 5, 6]);
  assert.equal(buffer.inFlight, 3);
  assert.deepEqual(seqs(buffer.ack(6, 6)), [6]);
  assert.deepEqual(seqs(buffer.ack(7, 100)), [], "acks for unknown seqs remove nothing");
  assert.deepEqual(seqs(buffer.ack(5, 4)), [], "an inverted range is empty");
  assert.deepEqual(seqs(buffer.ack(0, Number.MAX_SAFE_INTEGER)), [1, 5]);
  assert.equal(buffer.size, 0);
  assert.equal(buffer.inFlight, 0);
});

Deno.test("a refused reading is removed alone", () => {
  const buffer = filled(10, 1, 2, 3);
  takeAll(buffer);
  assert.deepEqual(buffer.remove(2), reading(2));
  assert.equal(buffer.remove(2), undefined);
  assert.deepEqual(seqs(buffer.readings()), [1, 3]);
  assert.equal(buffer.inFlight, 2);
});

Deno.test("overflow drops the oldest readings and says which", () => {
  const buffer = filled(3, 1, 2, 3);
  buffer.takeNext();
  assert.deepEqual(seqs(buffer.add(reading(4))), [1]);
  assert.equal(buffer.inFlight, 0, "the dropped reading was the one in flight");
  assert.deepEqual(seqs(buffer.add(reading(5))), [2]);
  assert.deepEqual(seqs(buffer.readings()), [3, 4, 5]);
  assert.deepEqual(takeAll(buffer), [3, 4, 5], "dropped readings are never sent");
});

Deno.test("a requeued reading is sent again before later ones", () => {
  const buffer = filled(10, 1, 2, 3, 4, 5);
  assert.deepEqual([buffer.takeNext()?.seq, buffer.takeNext()?.seq, buffer.takeNext()?.seq], [
    1,
    2,
    3,
  ]);
  assert.equal(buffer.requeue(2), true);
  assert.equal(buffer.requeue(2), false, "already pending");
  assert.equal(buffer.requeue(9), false, "not buffered");
  assert.equal(buffer.inFlight, 2);
  assert.deepEqual(takeAll(buffer), [2, 4, 5]);
});

Deno.test("after a reconnect everything buffered is pending again, in order", () => {
  const buffer = filled(10, 1, 2, 3, 4);
  takeAll(buffer);
  buffer.ack(2, 2);
  buffer.add(reading(7));
  buffer.requeueAll();
  assert.equal(buffer.inFlight, 0);
  assert.deepEqual(takeAll(buffer), [1, 3, 4, 7]);
});

Deno.test("a long disconnection does not grow the send queue past the limit", () => {
  const buffer = new UnackedBuffer(5);
  for (let seq = 1; seq <= 10_000; seq++) buffer.add(reading(seq));
  assert.deepEqual(takeAll(buffer), [9_996, 9_997, 9_998, 9_999, 10_000]);
});

Deno.test("buffer limit must be a positive integer", () => {
  assert.throws(() => new UnackedBuffer(0), /positive integer, got 0/);
  assert.throws(() => new UnackedBuffer(1.5), RangeError);
});
