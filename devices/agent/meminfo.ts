/** /proc/meminfo: memory and swap, in bytes. Pure. */

export function parseMeminfo(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (match) values.set(match[1], Number(match[2]) * (line.includes("kB") ? 1024 : 1));
  }
  return values;
}

export function memoryMetrics(info: Map<string, number>): Record<string, number> {
  const total = info.get("MemTotal");
  if (!total) throw new Error("Cannot read /proc/meminfo: no MemTotal");
  // MemAvailable exists since Linux 3.14; before it, free + page cache is the usual estimate.
  const available = info.get("MemAvailable") ??
    (info.get("MemFree") ?? 0) + (info.get("Buffers") ?? 0) + (info.get("Cached") ?? 0);
  const swapTotal = info.get("SwapTotal") ?? 0;
  const swapUsed = swapTotal - (info.get("SwapFree") ?? swapTotal);
  return {
    mem_total_bytes: total,
    mem_available_bytes: available,
    mem_used_bytes: total - available,
    mem_used_ratio: Math.round(((total - available) / total) * 10_000) / 10_000,
    swap_total_bytes: swapTotal,
    swap_used_bytes: swapUsed,
  };
}
