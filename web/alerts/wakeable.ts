/**
 * Runs a task every `intervalMs`, or sooner when woken, never two at once and never closer than
 * `minGapMs` apart: wakes during a run are coalesced into one more run. `stop()` waits for a
 * running task, so nothing outlives its owner.
 */
import type { Logger } from "@fleetmon/shared/log";

export interface Wakeable {
  wake(): void;
  stop(): Promise<void>;
}

export function wakeable(
  task: () => Promise<void>,
  options: { intervalMs: number; minGapMs: number; logger: Logger; name: string },
): Wakeable {
  const { intervalMs, minGapMs, logger, name } = options;
  if (!(intervalMs > 0 && minGapMs >= 0)) {
    throw new RangeError(`Cannot schedule ${name}: interval ${intervalMs} ms is not > 0`);
  }
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let lastStart = -Infinity;

  const schedule = (delay: number) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(run, Math.max(0, delay));
  };
  const run = () => {
    timer = undefined;
    again = false;
    lastStart = performance.now();
    running = task()
      .catch((error) => logger.warn(`${name} failed`, { error }))
      .finally(() => {
        running = undefined;
        if (again) schedule(lastStart + minGapMs - performance.now());
        else schedule(intervalMs);
      });
  };
  schedule(0);

  return {
    wake() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      schedule(lastStart + minGapMs - performance.now());
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
