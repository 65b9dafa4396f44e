/**
 * /proc/stat's aggregate "cpu" line: jiffies spent in each mode since boot. CPU use is the share
 * of non-idle time between two samples. Pure.
 */

export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

const FIELDS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const;

export function parseCpuTimes(text: string): CpuTimes {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) throw new Error('Cannot read /proc/stat: no "cpu" line');
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  if (values.length < 4 || values.some((v) => !Number.isFinite(v))) {
    throw new Error(`Cannot read /proc/stat: unexpected cpu line "${line.slice(0, 80)}"`);
  }
  // Older kernels have fewer columns; guest time is already counted in user and nice.
  return Object.fromEntries(FIELDS.map((f, i) => [f, values[i] ?? 0])) as unknown as CpuTimes;
}

/** Shares of time (0…1) between two samples; empty when no time passed. */
export function cpuUsage(before: CpuTimes, after: CpuTimes): Record<string, number> {
  const delta = (field: keyof CpuTimes) => Math.max(0, after[field] - before[field]);
  const total = FIELDS.reduce((sum, field) => sum + delta(field), 0);
  if (total === 0) return {};
  const idle = delta("idle") + delta("iowait");
  const share = (n: number) => round(n / total);
  return {
    cpu: share(total - idle),
    cpu_user: share(delta("user") + delta("nice")),
    cpu_system: share(delta("system") + delta("irq") + delta("softirq")),
    cpu_iowait: share(delta("iowait")),
    cpu_steal: share(delta("steal")),
  };
}

export function round(n: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(n * scale) / scale;
}
