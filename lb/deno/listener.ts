/**
 * The accept loop. It holds at most `maxConnections` connections: at the limit it stops
 * accepting, so new clients wait in the kernel's backlog (as with HAProxy's maxconn) rather than
 * being refused. An accept error such as EMFILE never ends the loop: it is logged, the loop backs
 * off briefly (doubling up to a second) and carries on.
 */
import type { Logger } from "@fleetmon/shared/log";
import { closeQuietly, delay } from "../_net.ts";

export interface Acceptor {
  accept(): Promise<Deno.TcpConn>;
  close(): void;
}

export interface AcceptLoopOptions {
  listener: Acceptor;
  maxConnections: number;
  /** Serves one connection; the slot is free again when the promise settles. */
  handle(conn: Deno.TcpConn): Promise<void>;
  logger: Logger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class AcceptLoop {
  /** Connections accepted and not yet finished. */
  active = 0;
  acceptErrors = 0;
  /** Resolves when the loop has stopped accepting (not when the last connection ends). */
  readonly done: Promise<void>;
  readonly #options: AcceptLoopOptions;
  readonly #stop = new AbortController();
  #slotFree: PromiseWithResolvers<void> | undefined;
  #idle: PromiseWithResolvers<void> | undefined;
  #holdOffMs = 0;

  constructor(options: AcceptLoopOptions) {
    if (!Number.isInteger(options.maxConnections) || options.maxConnections < 1) {
      throw new RangeError("Cannot accept connections: maxConnections must be a positive integer");
    }
    this.#options = options;
    this.done = this.#run();
  }

  /** Stops accepting and closes the listener; connections already accepted go on. */
  stop(): void {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    this.#slotFree?.resolve();
    try {
      this.#options.listener.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }

  /** The next accept waits `ms` first (out of file descriptors elsewhere); not an accept error. */
  holdOff(ms: number): void {
    this.#holdOffMs = Math.max(this.#holdOffMs, ms);
  }

  /** Resolves once no accepted connection is open. */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    this.#idle ??= Promise.withResolvers();
    return this.#idle.promise;
  }

  async #run(): Promise<void> {
    const { listener, logger, minBackoffMs = 5, maxBackoffMs = 1000 } = this.#options;
    const signal = this.#stop.signal;
    let backoff = minBackoffMs;
    while (!signal.aborted) {
      if (this.active >= this.#options.maxConnections) {
        this.#slotFree = Promise.withResolvers();
        await this.#slotFree.promise;
        continue;
      }
      if (this.#holdOffMs > 0) {
        const ms = this.#holdOffMs;
        this.#holdOffMs = 0;
        await delay(ms, signal);
        continue;
      }
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (signal.aborted) break;
        this.acceptErrors++;
        logger.warn("cannot accept a connection; backing off", { error, backoffMs: backoff });
        await delay(backoff, signal);
        backoff = Math.min(backoff * 2, maxBackoffMs);
        continue;
      }
      backoff = minBackoffMs;
      this.#serve(conn);
    }
  }

  async #serve(conn: Deno.TcpConn): Promise<void> {
    this.active++;
    try {
      await this.#options.handle(conn);
    } catch (error) {
      this.#options.logger.error("connection handler failed", { error });
      closeQuietly(conn);
    } finally {
      this.active--;
      this.#slotFree?.resolve();
      if (this.active === 0 && this.#idle) {
        this.#idle.resolve();
        this.#idle = undefined;
      }
    }
  }
}
