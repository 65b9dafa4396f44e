/**
 * The launcher's restart rule for its children, as systemd's `Restart=always` with
 * `RestartPreventExitStatus=2` does on a VM: a child that exits on its own is started again after
 * a backoff (1 s, 2 s, 4 s … 30 s; back to 1 s once it has run a minute), and the launcher says
 * so; a child that exits 2 (invalid configuration) is not restarted, since that never heals.
 */
import type { Logger } from "@fleetmon/shared/log";
import { type Service, type ServiceSpec, startService } from "@fleetmon/shared/supervisor";

export interface RestartPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** A run this long resets the backoff. */
  stableMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = {
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableMs: 60_000,
};

/** The wait before restart number `failures` (1 for the first). Pure. */
export function restartDelayMs(failures: number, policy: RestartPolicy = DEFAULT_RESTART): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
}

export interface KeptService {
  name: string;
  /** The process running now (a new one after each restart). */
  current(): Service;
  /** How many times it was restarted. */
  restarts(): number;
  /** Stops it for good: no restart after this. */
  stop(graceMs?: number): Promise<Deno.CommandStatus>;
}

/** Starts `spec` (rejects if the first start fails) and restarts it whenever it exits unasked. */
export async function keepRunning(
  spec: ServiceSpec,
  logger: Logger,
  policy: RestartPolicy = DEFAULT_RESTART,
): Promise<KeptService> {
  let service = await startService(spec);
  let startedAt = Date.now();
  let stopping = false;
  let failures = 0;
  let restarts = 0;
  let wake: (() => void) | undefined;

  const watch = async (): Promise<void> => {
    while (!stopping) {
      const status = await service.exited;
      if (stopping) return;
      if (status.code === 2) {
        logger.error(`${spec.name} exited: invalid configuration; not restarting it`, {
          service: spec.name,
          code: status.code,
          tail: service.tail(),
        });
        return;
      }
      failures = Date.now() - startedAt >= policy.stableMs ? 1 : failures + 1;
      const delayMs = restartDelayMs(failures, policy);
      logger.error(`${spec.name} exited unexpectedly; restarting it`, {
        service: spec.name,
        code: status.code,
        signal: status.signal,
        inMs: delayMs,
        restarts,
      });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      if (stopping) return;
      try {
        service = await startService(spec);
        startedAt = Date.now();
        restarts++;
        logger.info(`${spec.name} restarted`, { service: spec.name, restarts });
      } catch (error) {
        // It did not come up: count it as another failure, wait longer, try again.
        logger.error(`${spec.name} did not restart`, {
          service: spec.name,
          error: (error as Error).message,
        });
        startedAt = Date.now();
      }
    }
  };
  const watching = watch();
  return {
    name: spec.name,
    current: () => service,
    restarts: () => restarts,
    async stop(graceMs) {
      stopping = true;
      wake?.();
      const status = await service.stop(graceMs);
      await watching;
      return status;
    },
  };
}
