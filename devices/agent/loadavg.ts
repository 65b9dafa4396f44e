/** /proc/loadavg and /proc/uptime. Pure. */

export function parseLoadavg(text: string): Record<string, number> {
  const match = /^(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\/(\d+)/.exec(text.trim());
  if (!match) throw new Error(`Cannot read /proc/loadavg: unexpected "${text.slice(0, 60)}"`);
  return {
    load1: Number(match[1]),
    load5: Number(match[2]),
    load15: Number(match[3]),
    procs_running: Number(match[4]),
    procs_total: Number(match[5]),
  };
}

export function parseUptime(text: string): number {
  const seconds = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(seconds)) throw new Error("Cannot read /proc/uptime: not a number");
  return seconds;
}
