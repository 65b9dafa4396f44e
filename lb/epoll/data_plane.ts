/**
 * The epoll engine's listening socket and accept loop. The listener is watched level-triggered:
 * each wake-up accepts up to 64 clients, and when at `maxConnections` (or backing off after an
 * accept error such as EMFILE, or holding off after running out of descriptors for a backend's
 * socket) the listener is paused, so new clients wait in the kernel's backlog as with HAProxy's
 * maxconn. An accept error never closes the listener: it is logged, and accepting resumes after a
 * back-off that doubles up to a second.
 */
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import type { ProxyContext } from "../connect_policy.ts";
import { type Engine, HOLD_OFF_MS } from "../engine.ts";
import { EpollConnection, type EpollContext } from "./connection.ts";
import {
  CLOEXEC,
  EAGAIN,
  EINTR,
  enableOption,
  EPOLLIN,
  errnoError,
  IPPROTO_TCP,
  type Libc,
  openLibc,
  SO_REUSEADDR,
  SOCK_NONBLOCK,
  SOL_SOCKET,
  TCP_NODELAY,
  tcpSocket,
} from "./libc.ts";
import { Poller } from "./poller.ts";
import { encodeSockaddr, familyOf, localAddress, SOCKADDR_MAX } from "./sockaddr.ts";

const ACCEPTS_PER_WAKEUP = 64;
/**
 * Every read goes into this one buffer: each read is written on at once, and only what a socket
 * does not take is copied out. Large, since it is one for all: a stream moves in fewer calls
 * (one iperf3 stream: about 1.2× HAProxy's throughput with it, 1.1× with 64 KiB).
 */
const READ_BUFFER_BYTES = 256 * 1024;
const BACKLOG = 1024;
const ECONNABORTED = 103;
const MIN_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 1000;

export interface EpollDataPlaneOptions {
  listen: HostPort;
  maxConnections: number;
  proxy: ProxyContext;
  /** How long the loop may wait on the main thread before the rest of the process runs. */
  sliceMs: number;
  /** ACK a backend's bytes as soon as they are read (TCP_QUICKACK): see connection.ts. */
  quickAck: boolean;
  /** epoll itself failed (not one connection): the loop has ended and nothing is relayed. */
  onFatal(error: unknown): void;
  /** The libc to load (see libc.ts). */
  libc?: string;
}

export class EpollDataPlane implements Engine {
  readonly engine = "epoll";
  readonly port: number;
  active = 0;
  acceptErrors = 0;
  readonly #context: EpollContext;
  readonly #maxConnections: number;
  readonly #listenFd: number;
  readonly #listenToken: number;
  readonly #address = new Uint8Array(SOCKADDR_MAX);
  readonly #addressLength = new Uint32Array(1);
  #accepting = true;
  #paused = false;
  #backoffMs = MIN_BACKOFF_MS;
  #backoffTimer: ReturnType<typeof setTimeout> | undefined;
  #idle: PromiseWithResolvers<void> | undefined;

  constructor(options: EpollDataPlaneOptions) {
    const { listen, proxy } = options;
    const sockaddr = encodeSockaddr(listen);
    if (!sockaddr) throw new TypeError(`Cannot listen on ${listen.hostname}: not an IP address`);
    const libc = openLibc(options.libc);
    try {
      this.#listenFd = openListener(libc, sockaddr, listen);
      this.port = boundPort(libc, this.#listenFd);
    } catch (error) {
      libc.close();
      throw error;
    }
    const poller = new Poller(libc, {
      sliceMs: options.sliceMs,
      onError: (error) => proxy.logger.error("epoll engine failed", { error }),
    });
    poller.done.catch(options.onFatal);
    this.#context = {
      libc,
      poller,
      proxy,
      readBuffer: new Uint8Array(READ_BUFFER_BYTES),
      quickAck: options.quickAck,
      released: () => this.#released(),
    };
    this.#maxConnections = options.maxConnections;
    this.#listenToken = poller.add(this.#listenFd, EPOLLIN, {
      onEvents: () => this.#accept(),
      fail: () => {}, // the accept loop holds nothing between events
    });
  }

  holdOff(): void {
    if (this.#backoffTimer || !this.#accepting) return; // already paused, or closed
    this.#pauseFor(HOLD_OFF_MS);
  }

  stopAccepting(): Promise<void> {
    if (this.#accepting) {
      this.#accepting = false;
      clearTimeout(this.#backoffTimer);
      this.#context.poller.close(this.#listenFd, this.#listenToken);
    }
    return Promise.resolve();
  }

  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    this.#idle ??= Promise.withResolvers();
    return this.#idle.promise;
  }

  async close(): Promise<void> {
    await this.stopAccepting();
    this.#context.poller.stop();
    await this.#context.poller.done.catch(() => {}); // a failure was reported by onFatal
    this.#context.libc.close();
  }

  #accept(): void {
    const { libc: { call, errno }, proxy } = this.#context;
    for (
      let accepted = 0;
      accepted < ACCEPTS_PER_WAKEUP && this.#accepting && !this.#paused;
      accepted++
    ) {
      if (this.active >= this.#maxConnections) return this.#pause();
      this.#addressLength[0] = SOCKADDR_MAX;
      const fd = call.accept4(
        this.#listenFd,
        this.#address,
        this.#addressLength,
        SOCK_NONBLOCK | CLOEXEC,
      );
      if (fd < 0) {
        const code = errno();
        if (code === EAGAIN) return;
        if (code === EINTR || code === ECONNABORTED) continue;
        return this.#backOff(errnoError(code, "Cannot accept a connection"));
      }
      this.#backoffMs = MIN_BACKOFF_MS;
      this.active++;
      proxy.counters.total++;
      enableOption(this.#context.libc, fd, IPPROTO_TCP, TCP_NODELAY);
      try {
        new EpollConnection(fd, this.#address.slice(0, this.#addressLength[0]), this.#context);
      } catch (error) {
        // epoll could not watch the socket (out of kernel memory): drop this client, go on.
        proxy.logger.error("cannot serve a connection", { error });
        call.close(fd);
        this.#released();
      }
    }
  }

  #backOff(error: Error): void {
    this.acceptErrors++;
    const backoffMs = this.#backoffMs;
    this.#context.proxy.logger.warn("cannot accept a connection; backing off", {
      error,
      backoffMs,
    });
    this.#backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    this.#pauseFor(backoffMs);
  }

  #pauseFor(ms: number): void {
    this.#pause();
    clearTimeout(this.#backoffTimer);
    this.#backoffTimer = setTimeout(() => {
      this.#backoffTimer = undefined;
      this.#resume();
    }, ms);
  }

  #pause(): void {
    if (this.#paused || !this.#accepting) return;
    this.#paused = true;
    this.#context.poller.modify(this.#listenFd, this.#listenToken, 0);
  }

  #resume(): void {
    if (!this.#paused || !this.#accepting || this.#backoffTimer) return;
    this.#paused = false;
    this.#context.poller.modify(this.#listenFd, this.#listenToken, EPOLLIN);
  }

  #released(): void {
    this.active--;
    if (this.active < this.#maxConnections) this.#resume();
    if (this.active === 0 && this.#idle) {
      this.#idle.resolve();
      this.#idle = undefined;
    }
  }
}

function openListener(libc: Libc, sockaddr: Uint8Array, listen: HostPort): number {
  const { call, errno } = libc;
  const fd = tcpSocket(libc, familyOf(sockaddr));
  if (fd < 0) throw errnoError(errno(), `Cannot listen on ${formatHostPort(listen)}`);
  enableOption(libc, fd, SOL_SOCKET, SO_REUSEADDR);
  if (call.bind(fd, sockaddr, sockaddr.length) !== 0 || call.listen(fd, BACKLOG) !== 0) {
    const error = errnoError(errno(), `Cannot listen on ${formatHostPort(listen)}`);
    call.close(fd);
    throw error;
  }
  return fd;
}

function boundPort(libc: Libc, fd: number): number {
  const address = localAddress(libc, fd);
  if (address) return address.port;
  const error = errnoError(libc.errno(), "Cannot read the listening address");
  libc.call.close(fd);
  throw error;
}
