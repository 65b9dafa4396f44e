/**
 * /proc/diskstats: I/O counters per block device. Only whole physical disks are summed —
 * partitions, device-mapper and md devices would count the same I/O twice, and loop, ram and
 * zram devices are not disks. Pure.
 */

export interface DiskCounters {
  readBytes: number;
  writeBytes: number;
  reads: number;
  writes: number;
  /** Milliseconds spent doing I/O (field 13). */
  ioMs: number;
}

const SECTOR_BYTES = 512;
const VIRTUAL = /^(loop|ram|zram|dm-|md|sr|fd|nbd)/;

/** `wholeDisks` are the names in /sys/block; without it, names ending in a digit are skipped. */
export function parseDiskstats(text: string, wholeDisks?: ReadonlySet<string>): DiskCounters {
  const sum: DiskCounters = { readBytes: 0, writeBytes: 0, reads: 0, writes: 0, ioMs: 0 };
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 14) continue;
    const name = fields[2];
    if (VIRTUAL.test(name)) continue;
    if (wholeDisks ? !wholeDisks.has(name) : /\d$/.test(name)) continue;
    sum.reads += Number(fields[3]);
    sum.readBytes += Number(fields[5]) * SECTOR_BYTES;
    sum.writes += Number(fields[7]);
    sum.writeBytes += Number(fields[9]) * SECTOR_BYTES;
    sum.ioMs += Number(fields[12]);
  }
  return sum;
}
