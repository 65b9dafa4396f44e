/**
 * One epoll instance and the loop that waits on it, taking turns with Deno's own event loop.
 * Each turn first asks epoll on a worker thread (a nonblocking FFI call, which waits for the next
 * event): while that call is out, Deno runs timers, health checks, the admin API and anything else
 * in the process. Then, for up to `sliceMs`, it asks epoll on the main thread (a plain FFI call):
 * the kernel wakes this thread straight away for each event, as HAProxy's loop is woken, where a
 * wait on the worker costs two thread wake-ups per event.
 *
 * The data plane's worker (data_plane_worker.ts) uses 50 ms slices: that took lb's p99, one
 * request at a time, from 2.7 ms to 0.9-1.0 ms in bench:lb runs (HAProxy's: 0.5-0.9 ms). The
 * price is paid on that worker's thread only: while it is saturated, its own event loop (messages
 * from the control plane, connect timeouts, the idle sweep) runs between slices. Health checks and
 * the admin API run on the main thread and never wait for it (lb/control_plane_test.ts); when the
 * loop ran on the main thread they answered in 0.2-1.4 s under a new-connection flood. Asking the
 * FFI call not to wait was tried (when the loop still ran on the main thread) and was worse: Deno
 * then polled its own sockets so rarely that health checks timed out. `stop()` wakes a waiting
 * call through an eventfd.
 */
import {
  CLOEXEC,
  EINTR,
  EPOLL_CTL_ADD,
  EPOLL_CTL_MOD,
  EPOLL_EVENT,
  EPOLLIN,
  errnoError,
  type Libc,
} from "./libc.ts";
import { TokenAllocator } from "./tokens.ts";

/** Something registered with the poller: it is told the epoll flags of each event. */
export interface Pollable {
  onEvents(flags: number): void;
  /**
   * `onEvents` threw (a bug): release what it holds (a connection closes both sockets and frees
   * its slot), so one fault costs one connection and nothing more.
   */
  fail(error: unknown): void;
}

const MAX_EVENTS = 256;

export interface PollerOptions {
  /** How long the loop may wait on the main thread before the rest of the process runs. */
  sliceMs: number;
  /** Hears of anything a registered target throws. */
  onError(error: unknown): void;
  /** Where registration tokens wrap back to 1 (see tokens.ts); a test makes it small. */
  maxToken?: number;
}

export class Poller {
  /**
   * Settles when the loop has ended and the epoll and wake-up descriptors are closed: resolves
   * after `stop()`, rejects when epoll itself fails (any error but EINTR), which ends the loop.
   */
  readonly done: Promise<void>;
  /** The epoll instance's descriptor. */
  readonly fd: number;
  readonly #libc: Libc;
  readonly #epfd: number;
  readonly #wakefd: number;
  /**
   * By token rather than by descriptor: a descriptor closed in a batch may be reused by one
   * opened later in the same batch, and must not get the old one's events.
   */
  readonly #registered = new Map<number, Pollable>();
  readonly #tokens: TokenAllocator;
  readonly #event = new Uint8Array(EPOLL_EVENT.size);
  readonly #eventView = new DataView(this.#event.buffer);
  readonly #events = new Uint8Array(EPOLL_EVENT.size * MAX_EVENTS);
  readonly #eventsView = new DataView(this.#events.buffer);
  readonly #onError: (error: unknown) => void;
  readonly #sliceMs: number;
  #stopped = false;

  constructor(libc: Libc, options: PollerOptions) {
    const { onError } = options;
    this.#libc = libc;
    this.#sliceMs = options.sliceMs;
    this.#onError = onError;
    this.#tokens = new TokenAllocator(options.maxToken);
    this.#epfd = libc.call.epoll_create1(CLOEXEC);
    if (this.#epfd < 0) throw errnoError(libc.errno(), "Cannot create an epoll instance");
    this.#wakefd = libc.call.eventfd(0, CLOEXEC);
    if (this.#wakefd < 0) {
      const error = errnoError(libc.errno(), "Cannot create an eventfd");
      libc.call.close(this.#epfd);
      throw error;
    }
    this.#control(EPOLL_CTL_ADD, this.#wakefd, 0, EPOLLIN);
    this.fd = this.#epfd;
    this.done = this.#run().finally(() => {
      libc.call.close(this.#wakefd);
      libc.call.close(this.#epfd);
    });
  }

  /** Watches `fd` for `flags` (EPOLLIN, EPOLLOUT, EPOLLET, …); returns its token. */
  add(fd: number, flags: number, target: Pollable): number {
    const token = this.#tokens.next(this.#registered);
    this.#control(EPOLL_CTL_ADD, fd, token, flags);
    this.#registered.set(token, target);
    return token;
  }

  /** Changes what `fd` is watched for; 0 pauses it. */
  modify(fd: number, token: number, flags: number): void {
    this.#control(EPOLL_CTL_MOD, fd, token, flags);
  }

  /** Forgets `fd` and closes it (closing removes it from epoll). */
  close(fd: number, token: number): void {
    this.#registered.delete(token);
    this.#libc.call.close(fd);
  }

  /** Ends the loop once the current batch is handled. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#libc.call.write(this.#wakefd, new BigUint64Array([1n]), 8);
  }

  #control(op: number, fd: number, token: number, flags: number): void {
    this.#eventView.setUint32(0, flags, true);
    this.#eventView.setUint32(EPOLL_EVENT.dataOffset, token, true);
    if (this.#libc.call.epoll_ctl(this.#epfd, op, fd, this.#event) !== 0) {
      throw errnoError(this.#libc.errno(), `Cannot watch descriptor ${fd}`);
    }
  }

  async #run(): Promise<void> {
    const { call } = this.#libc;
    while (!this.#stopped) {
      // Let the rest of the process run (timers, health checks, the admin API) while epoll is
      // asked on a worker thread. This comes first, so the constructor returns at once.
      const count = await call.epoll_wait_async(
        this.#epfd,
        this.#events,
        MAX_EVENTS,
        -1,
      );
      if (count > 0) this.#dispatch(count);
      else if (count < 0) this.#retryOnThisThread();
      if (this.#stopped) return;
      // Then wait in the kernel on this thread, for up to a slice: one wake-up per event.
      const sliceEnd = performance.now() + this.#sliceMs;
      do {
        const remainingMs = sliceEnd - performance.now();
        const timeoutMs = remainingMs > 0 ? Math.ceil(remainingMs) : 0;
        const count = call.epoll_wait(this.#epfd, this.#events, MAX_EVENTS, timeoutMs);
        if (count === 0) break; // nothing more within the slice
        if (count > 0) this.#dispatch(count);
        else this.#throwUnlessInterrupted(); // EINTR: wait again
      } while (performance.now() < sliceEnd);
    }
  }

  /**
   * The call on the worker thread failed, and its errno is that thread's, not ours: ask again
   * here without waiting, which fails the same way unless it was EINTR.
   */
  #retryOnThisThread(): void {
    const count = this.#libc.call.epoll_wait(this.#epfd, this.#events, MAX_EVENTS, 0);
    if (count > 0) this.#dispatch(count);
    else if (count < 0) this.#throwUnlessInterrupted();
  }

  /** Any epoll_wait error but EINTR is permanent: asking again would only spin. */
  #throwUnlessInterrupted(): void {
    const code = this.#libc.errno();
    if (code !== EINTR) throw errnoError(code, "Cannot wait for events: epoll_wait failed");
  }

  #dispatch(count: number): void {
    const view = this.#eventsView;
    for (let i = 0; i < count; i++) {
      const offset = i * EPOLL_EVENT.size;
      const token = view.getUint32(offset + EPOLL_EVENT.dataOffset, true);
      // A descriptor closed earlier in this batch is gone from the map: skip its event.
      const target = this.#registered.get(token);
      if (!target) continue;
      try {
        target.onEvents(view.getUint32(offset, true));
      } catch (error) {
        // One connection's bug must not end the loop for all others, nor keep its sockets.
        this.#onError(error);
        try {
          target.fail(error);
        } catch (failure) {
          this.#onError(failure);
        }
      }
    }
  }
}
