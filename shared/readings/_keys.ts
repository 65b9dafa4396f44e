/**
 * Document ids that order by device, then time: `${device}|${ms, 13 digits}[|${seq, 16 digits}]`.
 * A device id is 1-64 of `A-Z a-z 0-9 . _ : -`, none of which is `|` (0x7c) or `}` (0x7d), so
 * `${device}|` to `${device}}` bounds exactly one device's documents, and the zero-padded
 * numbers make string order time order. Both engines answer such `_id` ranges from the `_id`
 * index (FerretDB with our patch, docs/data.md). Pure.
 */

const TS_DIGITS = 13; // milliseconds up to the year 2286
const SEQ_DIGITS = 16; // up to 2^53 - 1

export function padTs(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(TS_DIGITS, "0");
}

/**
 * A raw chunk's id: its device, its first reading's ts and seq, and a hash of all its seqs. The
 * hash matters: a resend grouped differently (readings 5-6 after a chunk of 5 alone) must not
 * collide with the earlier chunk, or its duplicate key would pass for "already stored" and
 * reading 6 would be acked unstored. Identical chunks (the same batch written again) do collide,
 * which is what makes a rewrite idempotent.
 */
export function chunkId(device: string, ts: number, seqs: number[]): string {
  return `${device}|${padTs(ts)}|${String(seqs[0]).padStart(SEQ_DIGITS, "0")}|${seqHash(seqs)}`;
}

/** cyrb53 over the seqs: 53 bits, as 11 base-36 digits. */
function seqHash(seqs: number[]): string {
  let h1 = 0xdeadbeef ^ seqs.length;
  let h2 = 0x41c6ce57 ^ seqs.length;
  for (const seq of seqs) {
    for (const part of [seq % 0x100000000, Math.floor(seq / 0x100000000)]) {
      h1 = Math.imul(h1 ^ part, 2654435761);
      h2 = Math.imul(h2 ^ part, 1597334677);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36).padStart(11, "0");
}

/** A rollup bucket's id: its device and the bucket's start. */
export function bucketId(device: string, start: number): string {
  return `${device}|${padTs(start)}`;
}

/** The `_id` bounds of one device's documents whose time key lies in [from, to). */
export function idRange(device: string, from: number, to: number): { $gte: string; $lt: string } {
  return { $gte: `${device}|${padTs(from)}`, $lt: `${device}|${padTs(to)}` };
}

/** The `_id` bounds of all of one device's documents. */
export function deviceRange(device: string): { $gte: string; $lt: string } {
  return { $gte: `${device}|`, $lt: `${device}}` };
}
