/**
 * Runs a task now and then every `intervalMs`, never two at once. `stop()` cancels the next run
 * and waits for a running one to finish, so nothing outlives its owner.
 */
import type { Logger } from "@fleetmon/shared/log";

export interface Periodic {
  stop(): Promise<void>;
}

export function every(
  intervalMs: number,
  task: () => Promise<void>,
  options: { logger: Logger; name: string; runAtStart?: boolean },
): Periodic {
  if (!(intervalMs > 0)) {
    throw new RangeError(`Cannot schedule ${options.name}: interval ${intervalMs} ms is not > 0`);
  }
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();

  const run = () => {
    timer = undefined;
    running = task()
      .catch((error) => options.logger.warn(`${options.name} failed`, { error }))
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalMs);
      });
  };
  if (options.runAtStart ?? true) run();
  else timer = setTimeout(run, intervalMs);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
