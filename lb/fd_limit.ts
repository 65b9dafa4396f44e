/** This process's limit on open file descriptors (the soft RLIMIT_NOFILE), where Linux tells it. */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = Deno.readTextFileSync("/proc/self/limits");
    } catch {
      return undefined; // not Linux, or not allowed to read it
    }
  }
  const soft = /^Max open files\s+(\d+|unlimited)\s/m.exec(text)?.[1];
  return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
}

/** Each relayed connection holds two descriptors; the runtime and listeners need a few dozen. */
export function descriptorsNeeded(maxConnections: number): number {
  return 2 * maxConnections + 64;
}
