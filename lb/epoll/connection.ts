/**
 * One client connection in the epoll engine, from accept to close: connect to a backend round
 * robin (the next one after a failed connect or a connect timeout, a bounded number of times),
 * write a PROXY protocol header if the backend wants one, then relay both ways.
 *
 * Both sockets are watched edge-triggered for reading, writing and the peer's half-close, so
 * each is registered once and never changed. Reading: until the kernel has nothing more (a short
 * read means that, unless the peer has hung up, when reading goes on to the end). Writing: what
 * the kernel does not take is kept, and its direction stops reading until the socket is writable
 * again (backpressure). Half-close: when one side ends its sending, the other side's writing is
 * shut down and the opposite direction goes on; when both have ended, both sockets are closed.
 * A reset or broken pipe ends the connection quietly (logged at debug).
 */
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import { encodeProxyHeader } from "@fleetmon/shared/proxy_protocol";
import type { OpenConnection } from "../backend.ts";
import type { Deadline } from "../deadlines.ts";
import { isExpectedNetworkError, timedOut } from "../_net.ts";
import {
  pickBackend,
  type ProxyContext,
  recordConnectFailure,
  recordNoBackend,
  type Target,
} from "../connect_policy.ts";
import {
  EAGAIN,
  EINPROGRESS,
  enableOption,
  EPOLLERR,
  EPOLLET,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLRDHUP,
  errnoError,
  IPPROTO_TCP,
  type Libc,
  MSG_NOSIGNAL,
  SHUT_WR,
  SO_ERROR,
  SOL_SOCKET,
  TCP_NODELAY,
  TCP_QUICKACK,
  tcpSocket,
} from "./libc.ts";
import type { Pollable, Poller } from "./poller.ts";
import { decodeSockaddr, encodeSockaddr, familyOf, localAddress } from "./sockaddr.ts";

/** What every connection of one balancer shares. */
export interface EpollContext {
  libc: Libc;
  poller: Poller;
  proxy: ProxyContext;
  /** Used for every read: reads and writes happen in one go, so one buffer serves all. */
  readBuffer: Uint8Array;
  /**
   * ACK a backend's bytes as soon as a read has emptied its socket (TCP_QUICKACK). A backend with
   * Nagle on (Deno.serve over TLS) holds the rest of an answer until its first bytes are ACKed:
   * without this, for lb's delayed ACK, 40 ms (docs/lb.md, "Relay"). A system call per read, so
   * only for the balancers that need it (lb(web)).
   */
  quickAck: boolean;
  /** A connection has ended: its slot is free. */
  released(): void;
}

const WATCH = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
const HANGUP = EPOLLRDHUP | EPOLLHUP | EPOLLERR;
const READABLE = EPOLLIN | HANGUP;

/** Each backend's address as a sockaddr, made once (a backend's address never changes). */
const sockaddrs = new WeakMap<Target, Uint8Array>();

function sockaddrOf(target: Target): Uint8Array {
  let address = sockaddrs.get(target);
  if (!address) {
    address = encodeSockaddr(target.address);
    if (!address) throw new TypeError(`Cannot connect to ${target.address.hostname}: a name`);
    sockaddrs.set(target, address);
  }
  return address;
}

function connectError(code: number, backend: Target): Error {
  return errnoError(code, `Cannot connect to ${formatHostPort(backend.address)}`);
}

/** One socket of a connection, as the poller sees it. */
class Side implements Pollable {
  fd = -1;
  token = 0;
  /** Bytes read from the other side that this socket has not taken yet. */
  pending: Uint8Array | null = null;
  /** This side has ended its sending (a read returned 0). */
  ended = false;
  /** The peer hung up or failed: read to the end rather than stopping at a short read. */
  hungUp = false;

  constructor(readonly connection: EpollConnection) {}

  onEvents(flags: number): void {
    this.connection.onEvents(this, flags);
  }

  fail(): void {
    this.connection.close("failed");
  }
}

export class EpollConnection implements OpenConnection {
  /** Counts chunks relayed; the idle sweep compares it between sweeps. */
  progress = 0;
  readonly #context: EpollContext;
  readonly #client = new Side(this);
  readonly #upstream = new Side(this);
  readonly #clientAddress: Uint8Array;
  readonly #tried = new Set<Target>();
  #backend: Target | undefined;
  #deadline: Deadline | undefined;
  #attempts = 0;
  #connected = false;
  #closed = false;

  /** Takes over `fd`, just accepted from a client at `clientAddress` (a sockaddr). */
  constructor(fd: number, clientAddress: Uint8Array, context: EpollContext) {
    this.#context = context;
    this.#clientAddress = clientAddress;
    this.#client.fd = fd;
    this.#client.token = context.poller.add(fd, WATCH, this.#client);
    try {
      this.#connectNext();
    } catch (error) {
      // A bug: this one connection ends, its sockets and slot freed.
      context.proxy.logger.error("epoll engine failed", { error });
      this.close("failed");
    }
  }

  /** Ends the connection now, closing both sockets. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#logger().debug("relay closed", { reason });
    this.#finish();
  }

  onEvents(side: Side, flags: number): void {
    if (this.#closed) return;
    if (flags & HANGUP) side.hungUp = true;
    if (!this.#connected) {
      if (side === this.#upstream) this.#onConnectEvent(flags);
      return; // the client's bytes wait until there is a backend to take them
    }
    if (flags & EPOLLOUT && side.pending) this.#flush(side);
    if (flags & READABLE) this.#pump(side);
  }

  #connectNext(): void {
    const { libc: { call, errno }, poller, proxy } = this.#context;
    while (this.#attempts <= proxy.retries && !proxy.closed) {
      const backend = pickBackend(proxy, this.#tried);
      if (!backend) break;
      this.#attempts++;
      this.#tried.add(backend);
      const address = sockaddrOf(backend);
      const fd = tcpSocket(this.#context.libc, familyOf(address));
      if (fd < 0) {
        recordConnectFailure(proxy, backend, connectError(errno(), backend));
        continue;
      }
      enableOption(this.#context.libc, fd, IPPROTO_TCP, TCP_NODELAY);
      if (call.connect(fd, address, address.length) !== 0 && errno() !== EINPROGRESS) {
        const error = connectError(errno(), backend);
        call.close(fd);
        recordConnectFailure(proxy, backend, error);
        continue;
      }
      try {
        this.#upstream.token = poller.add(fd, WATCH, this.#upstream);
      } catch (error) {
        // Out of kernel memory for epoll: this process's problem, not the backend's.
        call.close(fd);
        proxy.logger.error("cannot watch a backend connection", { error });
        continue;
      }
      this.#backend = backend;
      this.#upstream.fd = fd;
      const timeoutMs = proxy.connectTimeoutMs;
      this.#deadline = proxy.deadlines.start(
        timeoutMs,
        () => this.#connectFailed(timedOut(backend.address, timeoutMs)),
      );
      return;
    }
    recordNoBackend(proxy, decodeSockaddr(this.#clientAddress), this.#tried);
    // A FIN rather than a reset: shut down writing, then close.
    this.#context.libc.call.shutdown(this.#client.fd, SHUT_WR);
    this.#finish();
  }

  #onConnectEvent(flags: number): void {
    if (flags & (EPOLLERR | EPOLLHUP)) return this.#connectFailed(this.#socketError());
    if (!(flags & EPOLLOUT)) return;
    this.#context.proxy.deadlines.release(this.#deadline!);
    this.#deadline = undefined;
    if (this.#context.proxy.closed) return this.close("shutting down");
    const backend = this.#backend!;
    this.#connected = true;
    backend.total++;
    backend.connections.add(this);
    if (backend.proxyProtocol) {
      const header = encodeProxyHeader(
        backend.proxyProtocol,
        decodeSockaddr(this.#clientAddress),
        this.#clientLocalAddress(),
      );
      this.#upstream.pending = header;
      this.#flush(this.#upstream); // then reads the client
    } else {
      this.#pump(this.#client);
    }
    if (flags & READABLE) this.#pump(this.#upstream);
  }

  #connectFailed(error: unknown): void {
    const { proxy, poller } = this.#context;
    if (this.#deadline) proxy.deadlines.release(this.#deadline);
    this.#deadline = undefined;
    poller.close(this.#upstream.fd, this.#upstream.token);
    this.#upstream.fd = -1;
    this.#upstream.hungUp = false;
    recordConnectFailure(proxy, this.#backend!, error);
    this.#backend = undefined;
    this.#connectNext();
  }

  /** Reads `from` and writes to the other side until `from` has nothing more or the other side is full. */
  #pump(from: Side): void {
    const to = from === this.#client ? this.#upstream : this.#client;
    if (to.pending || from.ended || this.#closed) return;
    const { libc: { call, errno }, readBuffer, quickAck } = this.#context;
    const backend = this.#backend!;
    while (true) {
      const length = call.read(from.fd, readBuffer, readBuffer.length);
      if (length < 0) {
        const code = errno();
        if (code !== EAGAIN) this.#fail(code, from);
        return;
      }
      if (length === 0) return this.#ended(from, to);
      if (from === this.#client) backend.txBytes += length;
      else {
        backend.rxBytes += length;
        // A full buffer leaves more to read: the read that empties the socket ACKs it all.
        if (quickAck && length < readBuffer.length) {
          enableOption(this.#context.libc, from.fd, IPPROTO_TCP, TCP_QUICKACK);
        }
      }
      this.progress++;
      const sent = call.send(to.fd, readBuffer, length, MSG_NOSIGNAL);
      if (sent !== length) {
        const code = sent < 0 ? errno() : EAGAIN;
        if (code !== EAGAIN) return this.#fail(code, to);
        to.pending = readBuffer.slice(Math.max(sent, 0), length);
        return;
      }
      if (length < readBuffer.length && !from.hungUp) return;
    }
  }

  /** Writes what `to` has pending; once all is written, reads the other side again. */
  #flush(to: Side): void {
    const { call, errno } = this.#context.libc;
    const pending = to.pending!;
    const sent = call.send(to.fd, pending, pending.length, MSG_NOSIGNAL);
    if (sent < 0) {
      const code = errno();
      if (code !== EAGAIN) this.#fail(code, to);
      return;
    }
    if (sent < pending.length) {
      to.pending = pending.subarray(sent);
      return;
    }
    to.pending = null;
    this.#pump(to === this.#client ? this.#upstream : this.#client);
  }

  #ended(from: Side, to: Side): void {
    from.ended = true;
    // The first side to finish passes its half-close on; after the second, both are closed.
    if (to.ended) return this.#finish();
    this.#context.libc.call.shutdown(to.fd, SHUT_WR);
  }

  #fail(code: number, side: Side): void {
    const toBackend = side === this.#upstream;
    const error = errnoError(
      code,
      toBackend ? "Backend connection failed" : "Client connection failed",
    );
    const direction = toBackend ? "client to backend" : "backend to client";
    if (isExpectedNetworkError(error)) {
      this.#logger().debug("relay ended by peer", { direction, error });
    } else this.#logger().warn("relay failed", { direction, error });
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    const { poller, proxy } = this.#context;
    if (this.#deadline) proxy.deadlines.release(this.#deadline);
    for (const side of [this.#client, this.#upstream]) {
      if (side.fd >= 0) poller.close(side.fd, side.token);
      side.fd = -1;
      side.pending = null;
    }
    this.#backend?.connections.delete(this);
    this.#context.released();
  }

  #socketError(): Error {
    const value = new Int32Array(1);
    const length = new Uint32Array([4]);
    const { call, errno } = this.#context.libc;
    const code = call.getsockopt(this.#upstream.fd, SOL_SOCKET, SO_ERROR, value, length) === 0
      ? value[0]
      : errno();
    return connectError(code, this.#backend!);
  }

  /**
   * The balancer's own address on the client's connection, for the PROXY header; undefined
   * (an UNKNOWN header) in the unlikely case the kernel cannot say.
   */
  #clientLocalAddress(): HostPort | undefined {
    return localAddress(this.#context.libc, this.#client.fd);
  }

  #logger() {
    const { proxy } = this.#context;
    return this.#backend?.logger ?? proxy.logger;
  }
}
