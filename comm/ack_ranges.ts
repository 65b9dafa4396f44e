/** Turns the seqs stored for one connection, in the order they arrived, into exact ack ranges. */
export interface AckRange {
  from: number;
  seq: number;
}

export function ackRanges(seqs: readonly number[]): AckRange[] {
  const ranges: AckRange[] = [];
  let current: AckRange | undefined;
  for (const seq of seqs) {
    if (current && seq === current.seq + 1) current.seq = seq;
    else {
      current = { from: seq, seq };
      ranges.push(current);
    }
  }
  return ranges;
}

export function ackFrame(range: AckRange): { type: "ack"; seq: number; from?: number } {
  return range.from === range.seq
    ? { type: "ack", seq: range.seq }
    : { type: "ack", from: range.from, seq: range.seq };
}
