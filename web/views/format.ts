/**
 * Small text formatting shared by the pages, and by their live updates: web/static.ts serves the
 * source of relativeTime and formatNumber to the browser, so those two must use only built-ins.
 */

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago"; "never" for null. */
export function relativeTime(iso: string | null, now: number): string {
  if (!iso) return "never";
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 2) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** A metric value, short: 0.42, 1234, 1.2e+9. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return String(value);
  if (Math.abs(value) >= 1e7 || (value !== 0 && Math.abs(value) < 1e-3)) {
    return value.toExponential(2);
  }
  return String(Number(value.toPrecision(4)));
}

/** "cpu=0.42 mem=1.2e+9", at most `max` entries and "+N more". */
export function metricEntries(
  metrics: Record<string, number> | null,
  max = 6,
): { shown: [string, string][]; more: number } {
  const entries = Object.entries(metrics ?? {});
  return {
    shown: entries.slice(0, max).map(([name, value]) => [name, formatMetric(name, value)]),
    more: Math.max(0, entries.length - max),
  };
}

/**
 * A metric value with the unit its name ends in (Prometheus-style suffixes): mem_used_bytes
 * 7.7e9 → "7.17 GiB", cpu_ratio 0.42 → "42 %", temp_c 61.3 → "61.3 °C", uptime_seconds 5400 →
 * "1.5 h". Other names get formatNumber. Built-ins only (served to the browser, see static.ts).
 */
export function formatMetric(name: string, value: number): string {
  const short = (v: number) => {
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e7 || a < 1e-3)) return v.toExponential(2);
    return String(Number(v.toPrecision(a >= 1000 ? 5 : 3)));
  };
  const scaled = (v: number, base: number, units: string[]) => {
    let i = 0;
    let a = Math.abs(v);
    while (a >= base && i < units.length - 1) {
      a /= base;
      i++;
    }
    return `${short(Math.sign(v) * a)} ${units[i]}`;
  };
  const suffix = /_([a-z]+)$/.exec(name)?.[1] ?? "";
  switch (suffix) {
    case "bytes":
      return scaled(value, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]);
    case "ratio":
      return `${short(value * 100)} %`;
    case "percent":
    case "pct":
      return `${short(value)} %`;
    case "c":
    case "celsius":
      return `${short(value)} °C`;
    case "seconds": {
      const a = Math.abs(value);
      if (a >= 86_400) return `${short(value / 86_400)} d`;
      if (a >= 3600) return `${short(value / 3600)} h`;
      if (a >= 60) return `${short(value / 60)} min`;
      return a >= 1 || a === 0 ? `${short(value)} s` : `${short(value * 1000)} ms`;
    }
    case "ms":
      return `${short(value)} ms`;
    case "volts":
      return `${short(value)} V`;
    case "watts":
      return scaled(value, 1000, ["W", "kW", "MW", "GW"]);
    case "hz":
      return scaled(value, 1000, ["Hz", "kHz", "MHz", "GHz"]);
    case "rpm":
      return `${short(value)} rpm`;
    default:
      return formatNumber(value);
  }
}
