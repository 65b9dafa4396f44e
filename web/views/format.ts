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
    shown: entries.slice(0, max).map(([name, value]) => [name, formatNumber(value)]),
    more: Math.max(0, entries.length - max),
  };
}
