/**
 * How busy processes are: CPU seconds used (user + system, every thread) from /proc, and the
 * cores each used over a stretch of time. Linux only, as the rehearsal is.
 */

/** Clock ticks a second of /proc's times (`getconf CLK_TCK`: 100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU seconds the process has used so far; NaN once it is gone. */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return parseCpuSeconds(stat);
  } catch {
    return NaN;
  }
}

/** utime + stime (fields 14 and 15) of a /proc/PID/stat line, in seconds. Pure. */
export function parseCpuSeconds(stat: string): number {
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Starts measuring `pids`; the returned function gives each one's cores used since (2 decimals). */
export async function startCpuWatch(
  pids: Record<string, number>,
): Promise<() => Promise<Record<string, number>>> {
  const t0 = performance.now();
  const before = await Promise.all(Object.values(pids).map(cpuSeconds));
  return async () => {
    const seconds = (performance.now() - t0) / 1000;
    const after = await Promise.all(Object.values(pids).map(cpuSeconds));
    return Object.fromEntries(
      Object.keys(pids).map((name, i) => [
        name,
        Math.round(((after[i] - before[i]) / seconds) * 100) / 100,
      ]),
    );
  };
}
