/**
 * Whether an lb process came back to its baseline after a soak, and if not, what did not:
 * descriptors and epoll registrations at or below the baseline, and each thread's heap after a
 * full garbage collection (used and external) within HEAP_SLACK_MIB of it. Pure.
 */
import type { LbMemory } from "../admin.ts";
import type { HeapFigures } from "../heap.ts";
import type { ProcessFigures } from "./_probe.ts";

/** How much a thread's heap (used or external) may be above its baseline at the end. */
export const HEAP_SLACK_MIB = 4;
const MIB = 2 ** 20;
const THREADS = ["controlPlane", "dataPlane"] as const;

export interface Sample {
  process: ProcessFigures;
  memory: LbMemory;
}

/** What is above its baseline, one line each; empty when everything is back. */
export function notBack(before: Sample, after: Sample): string[] {
  const problems: string[] = [];
  if (after.process.fds > before.process.fds) {
    problems.push(`descriptors: ${before.process.fds} → ${after.process.fds}`);
  }
  if (after.process.registrations > before.process.registrations) {
    problems.push(
      `epoll registrations: ${before.process.registrations} → ${after.process.registrations}`,
    );
  }
  for (const thread of THREADS) {
    for (const field of ["heapUsed", "external"] as const) {
      const [b, a] = [before.memory[thread][field], after.memory[thread][field]];
      if (a > b + HEAP_SLACK_MIB * MIB) {
        problems.push(`${thread} ${field}: ${inMiB(b)} → ${inMiB(a)} MiB`);
      }
    }
  }
  return problems;
}

/** Bytes in MiB, one decimal. */
export function inMiB(bytes: number): number {
  return Math.round(bytes / MIB * 10) / 10;
}

/** A thread's heap in MiB, as the soak prints it. */
export function heapInMiB(heap: HeapFigures) {
  return { heapUsedMiB: inMiB(heap.heapUsed), externalMiB: inMiB(heap.external) };
}
