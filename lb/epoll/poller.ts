/**
 * One epoll instance and the loop that waits on it, taking turns with Deno's own event loop.
 * First it asks epoll on the main thread (a plain FFI call), for up to `sliceMs`: the kernel wakes
 * this thread straight away for each event, as HAProxy's loop is woken. Then it asks epoll once
 * more on a worker thread (a nonblocking FFI call), and while that call is out Deno runs timers,
 * health checks, the admin API and anything else in the process.
 *
 * With a slice of 0 the loop never blocks the process, and its worker-thread call waits for the
 * next event, so an idle balancer costs nothing: right inside another program (or a test). With a
 * slice (`lb/main.ts`: 50 ms) the worker-thread call does not wait, since an event that arrived
 * during it would pay two thread wake-ups (p99 one request at a time: 0.65-0.95 ms against
 * HAProxy's 0.36-0.51; not waiting: 0.34-0.44 against 0.32-0.50); an idle balancer then wakes
 * 20 times a second (0.4 % of a CPU). `stop()` wakes a waiting call through an eventfd.
 */
import {
  EPOLL_CTL_ADD,
  EPOLL_CTL_MOD,
  EPOLL_EVENT,
  EPOLLIN,
  errnoError,
  type Libc,
  SOCK_CLOEXEC,
} from "./libc.ts";

/** Something registered with the poller: it is told the epoll flags of each event. */
export interface Pollable {
  onEvents(flags: number): void;
}

const MAX_EVENTS = 256;

export class Poller {
  /** Resolves when the loop has ended and the epoll and wake-up descriptors are closed. */
  readonly done: Promise<void>;
  readonly #libc: Libc;
  readonly #epfd: number;
  readonly #wakefd: number;
  /**
   * By token rather than by descriptor: a descriptor closed in a batch may be reused by one
   * opened later in the same batch, and must not get the old one's events.
   */
  readonly #registered = new Map<number, Pollable>();
  #nextToken = 1;
  readonly #event = new Uint8Array(EPOLL_EVENT.size);
  readonly #eventView = new DataView(this.#event.buffer);
  readonly #events = new Uint8Array(EPOLL_EVENT.size * MAX_EVENTS);
  readonly #eventsView = new DataView(this.#events.buffer);
  readonly #onError: (error: unknown) => void;
  readonly #sliceMs: number;
  #stopped = false;

  /** `onError` hears of anything a registered target throws. */
  constructor(libc: Libc, sliceMs: number, onError: (error: unknown) => void) {
    this.#libc = libc;
    this.#sliceMs = sliceMs;
    this.#onError = onError;
    this.#epfd = libc.call.epoll_create1(SOCK_CLOEXEC);
    if (this.#epfd < 0) throw errnoError(libc.errno(), "Cannot create an epoll instance");
    this.#wakefd = libc.call.eventfd(0, SOCK_CLOEXEC);
    if (this.#wakefd < 0) {
      const error = errnoError(libc.errno(), "Cannot create an eventfd");
      libc.call.close(this.#epfd);
      throw error;
    }
    this.#control(EPOLL_CTL_ADD, this.#wakefd, 0, EPOLLIN);
    this.done = this.#run().catch(onError).finally(() => {
      libc.call.close(this.#wakefd);
      libc.call.close(this.#epfd);
    });
  }

  /** Watches `fd` for `flags` (EPOLLIN, EPOLLOUT, EPOLLET, …); returns its token. */
  add(fd: number, flags: number, target: Pollable): number {
    const token = this.#nextToken;
    this.#nextToken = token === 0xffffffff ? 1 : token + 1;
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
      // Wait in the kernel on this thread, for up to a slice of time: one wake-up per event.
      const sliceEnd = performance.now() + this.#sliceMs;
      do {
        const remainingMs = sliceEnd - performance.now();
        const timeoutMs = remainingMs > 0 ? Math.ceil(remainingMs) : 0;
        const count = call.epoll_wait(this.#epfd, this.#events, MAX_EVENTS, timeoutMs);
        if (count === 0) break; // nothing more within the slice
        if (count > 0) this.#dispatch(count); // else EINTR: wait again
      } while (performance.now() < sliceEnd);
      // Then let the rest of the process run (timers, health checks, the admin API) while
      // epoll is asked on a worker thread. With a slice, the worker does not wait (the next slice
      // does): an event arriving now would otherwise pay two thread wake-ups. Without one, it
      // waits for the next event, so an idle balancer costs nothing.
      const yieldTimeoutMs = this.#sliceMs > 0 ? 0 : -1;
      const count = await call.epoll_wait_async(
        this.#epfd,
        this.#events,
        MAX_EVENTS,
        yieldTimeoutMs,
      );
      // That call ran on another thread, so its errno is not ours to read; epoll_wait fails
      // only on EINTR (or on a bad descriptor, which stop() rules out): the loop waits again.
      if (count > 0) this.#dispatch(count);
    }
  }

  #dispatch(count: number): void {
    const view = this.#eventsView;
    for (let i = 0; i < count; i++) {
      const offset = i * EPOLL_EVENT.size;
      const token = view.getUint32(offset + EPOLL_EVENT.dataOffset, true);
      try {
        // A descriptor closed earlier in this batch is gone from the map: skip its event.
        this.#registered.get(token)?.onEvents(view.getUint32(offset, true));
      } catch (error) {
        this.#onError(error); // one connection's bug must not end the loop for all others
      }
    }
  }
}
