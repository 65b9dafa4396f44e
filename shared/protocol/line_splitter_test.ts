import assert from "node:assert/strict";
import { LineSplitter } from "./line_splitter.ts";
import { ProtocolError } from "../errors.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (lines: Uint8Array[]) => lines.map((line) => new TextDecoder().decode(line));

Deno.test("splitter returns whole lines and keeps the unfinished rest", () => {
  const splitter = new LineSplitter(100);
  assert.deepEqual(text(splitter.push(bytes("a\nbb\r\nc"))), ["a", "bb"]);
  assert.equal(splitter.bufferedBytes, 1);
  assert.deepEqual(text(splitter.push(bytes("cc\n\n"))), ["ccc"]);
  assert.equal(splitter.bufferedBytes, 0);
});

Deno.test("splitter gives the same lines when input is split at every byte boundary", () => {
  const input = bytes('{"type":"hello"}\r\n{"type":"ping","id":"ü"}\n\n{"x":1}\n');
  const whole = text(new LineSplitter(100).push(input));
  for (let cut = 0; cut <= input.length; cut++) {
    const splitter = new LineSplitter(100);
    const lines = [
      ...text(splitter.push(input.slice(0, cut))),
      ...text(splitter.push(input.slice(cut))),
    ];
    assert.deepEqual(lines, whole, `cut at ${cut}`);
  }
  const oneByOne = new LineSplitter(100);
  const lines: string[] = [];
  for (const byte of input) lines.push(...text(oneByOne.push(new Uint8Array([byte]))));
  assert.deepEqual(lines, whole);
});

Deno.test("splitter refuses a long line before it is buffered whole", () => {
  const splitter = new LineSplitter(1000);
  splitter.push(new Uint8Array(900).fill(0x61));
  assert.throws(
    () => splitter.push(new Uint8Array(200).fill(0x61)),
    (error: Error) =>
      error instanceof ProtocolError && error.code === "too_large" &&
      error.message === "Cannot accept frame: line exceeds 1000 bytes",
  );
  assert.equal(splitter.bufferedBytes, 0);
});

const tooLarge = (error: Error) => error instanceof ProtocolError && error.code === "too_large";

Deno.test("splitter accepts a line of exactly the limit, its \\r counted", () => {
  assert.equal(new LineSplitter(10).push(bytes("0123456789\n"))[0].length, 10);
  assert.equal(new LineSplitter(10).push(bytes("012345678\r\n"))[0].length, 9);
  assert.throws(() => new LineSplitter(10).push(bytes("0123456789\r\n")), tooLarge);
  assert.throws(() => new LineSplitter(10).push(bytes("01234567890\n")), tooLarge);
});

Deno.test("splitter refuses as soon as one byte more than the limit arrived without a newline", () => {
  const splitter = new LineSplitter(10);
  assert.deepEqual(splitter.push(bytes("0123456789")), []);
  assert.equal(splitter.bufferedBytes, 10);
  assert.throws(() => splitter.push(bytes("x")), tooLarge);
  assert.throws(() => new LineSplitter(10).push(bytes("0123456789x")), tooLarge);
});

Deno.test("splitter skips lines of only spaces, tabs and carriage returns", () => {
  const splitter = new LineSplitter(100);
  assert.deepEqual(text(splitter.push(bytes(" \n\t \r\n\r\n\n {}\n\r\r\n"))), [" {}"]);
});
