/**
 * Splits a byte stream into lines ended by "\n" (a "\r" before it is dropped), refusing any line
 * longer than `maxLineBytes` as soon as one byte more than that arrived without a newline, so a
 * peer can never make us buffer more than that. Every byte before the "\n" counts, a "\r"
 * included. Lines of nothing but spaces, tabs and "\r" are skipped like empty ones.
 */
import { ProtocolError } from "../errors.ts";

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineSplitter {
  readonly #maxLineBytes: number;
  #pending: Uint8Array | null = null;

  constructor(maxLineBytes: number) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`Cannot split lines: maxLineBytes must be a positive integer`);
    }
    this.#maxLineBytes = maxLineBytes;
  }

  /** Bytes held back from an unfinished line. */
  get bufferedBytes(): number {
    return this.#pending?.length ?? 0;
  }

  /**
   * Returns the complete, non-empty lines in `chunk`, without their line ends. A returned line may
   * be a view into `chunk`: use it before the caller reuses that buffer.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const lines: Uint8Array[] = [];
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    while (newline !== -1) {
      let line = chunk.subarray(start, newline);
      if (this.#pending) {
        line = concat(this.#pending, line);
        this.#pending = null;
      }
      this.#checkLength(line.length);
      if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) {
        line = line.subarray(0, line.length - 1);
      }
      if (!isBlank(line)) lines.push(line);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.#pending = this.#pending ? concat(this.#pending, rest) : rest.slice();
      this.#checkLength(this.#pending.length);
    }
    return lines;
  }

  #checkLength(length: number): void {
    if (length > this.#maxLineBytes) {
      this.#pending = null;
      throw new ProtocolError(
        "too_large",
        `Cannot accept frame: line exceeds ${this.#maxLineBytes} bytes`,
      );
    }
  }
}

const SPACE = 0x20;
const TAB = 0x09;

/** True for an empty line or one of only spaces, tabs and "\r" (JSON whitespace). */
function isBlank(line: Uint8Array): boolean {
  for (const byte of line) {
    if (byte !== SPACE && byte !== TAB && byte !== CARRIAGE_RETURN) return false;
  }
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
