/**
 * The few libc calls the epoll engine makes, through Deno's FFI (`--allow-ffi`), with Linux's
 * constants and the errors they report. Linux only; x86-64 and arm64 differ in one layout
 * (`struct epoll_event` is packed on x86-64), which `EPOLL_EVENT` describes.
 */

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept4: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  // ssize_t results fit in 32 bits here (reads and writes of at most one buffer).
  read: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  /** The same call on a worker thread, for waiting without blocking the event loop. */
  epoll_wait_async: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/**
 * The symbols as called: Deno's types ask for a bigint where C takes a size_t, but its FFI takes
 * a number just as well, and a byte count here is always a small one.
 */
type Symbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
type Bytes = Deno.ToNativeType<"buffer">;
export type LibcCalls = Omit<Symbols, "read" | "send" | "write"> & {
  read(fd: number, buffer: Bytes, length: number): number;
  send(fd: number, buffer: Bytes, length: number, flags: number): number;
  write(fd: number, buffer: Bytes, length: number): number;
};

export interface Libc {
  readonly call: LibcCalls;
  /** errno of the last failed call on this thread; read it right after the call. */
  errno(): number;
  close(): void;
}

/** glibc's name; on another libc (musl) this fails to load and `auto` runs the deno engine. */
export const LIBC_NAME = "libc.so.6";

export function openLibc(name = LIBC_NAME): Libc {
  const library = Deno.dlopen(name, SYMBOLS);
  const errnoView = new Deno.UnsafePointerView(library.symbols.__errno_location()!);
  return {
    call: library.symbols as unknown as LibcCalls,
    errno: () => errnoView.getInt32(),
    close: () => library.close(),
  };
}

/**
 * Why the epoll engine cannot run here, or undefined when it can: it loads libc `name` with
 * every symbol the engine calls, so a missing or different libc is found before it is needed.
 */
export function epollUnsupportedReason(name = LIBC_NAME): string | undefined {
  if (Deno.build.os !== "linux") return `it needs Linux, not ${Deno.build.os}`;
  if (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64") {
    return `it knows x86_64 and aarch64, not ${Deno.build.arch}`;
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return "it needs --allow-ffi";
  }
  try {
    openLibc(name).close();
  } catch (error) {
    return `cannot load ${name}: ${error instanceof Error ? error.message : error}`;
  }
  return undefined;
}

/** `struct epoll_event`: 12 bytes packed on x86-64, 16 with the data aligned on arm64. */
export const EPOLL_EVENT = Deno.build.arch === "x86_64"
  ? { size: 12, dataOffset: 4 }
  : { size: 16, dataOffset: 8 };

export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_NONBLOCK = 0o4000;
/** Close on exec: the same bit for sockets, epoll_create1 and eventfd. */
export const CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_ERROR = 4;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 1;
/** Linux: ACK what was received now, not after the delayed-ACK timer (re-armed per read). */
export const TCP_QUICKACK = 12;
export const SHUT_WR = 1;
export const MSG_NOSIGNAL = 0x4000;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_MOD = 3;
export const EPOLLIN = 0x1;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLHUP = 0x10;
export const EPOLLRDHUP = 0x2000;
export const EPOLLET = 0x80000000;

export const EINTR = 4;
export const EAGAIN = 11;
export const EMFILE = 24;
export const ENFILE = 23;
export const EINPROGRESS = 115;
export const ETIMEDOUT = 110;

const ONE = new Int32Array([1]);

/** A new non-blocking TCP socket of `family`, or -1 with errno set. */
export function tcpSocket({ call }: Libc, family: number): number {
  return call.socket(family, SOCK_STREAM | SOCK_NONBLOCK | CLOEXEC, 0);
}

/** Turns an on/off socket option on (TCP_NODELAY, SO_REUSEADDR). */
export function enableOption({ call }: Libc, fd: number, level: number, option: number): void {
  call.setsockopt(fd, level, option, ONE, 4);
}

type ErrorClass = new (message: string) => Error;

/** errno → its name and the Deno error class the rest of the code already knows. */
const ERRNO: Record<number, [string, ErrorClass]> = {
  1: ["EPERM", Deno.errors.PermissionDenied],
  9: ["EBADF", Error],
  13: ["EACCES", Deno.errors.PermissionDenied],
  22: ["EINVAL", Error],
  [ENFILE]: ["ENFILE", Error],
  [EMFILE]: ["EMFILE", Error],
  32: ["EPIPE", Deno.errors.BrokenPipe],
  98: ["EADDRINUSE", Deno.errors.AddrInUse],
  99: ["EADDRNOTAVAIL", Deno.errors.AddrNotAvailable],
  101: ["ENETUNREACH", Deno.errors.NetworkUnreachable],
  103: ["ECONNABORTED", Deno.errors.ConnectionAborted],
  104: ["ECONNRESET", Deno.errors.ConnectionReset],
  105: ["ENOBUFS", Error],
  107: ["ENOTCONN", Deno.errors.NotConnected],
  [ETIMEDOUT]: ["ETIMEDOUT", Deno.errors.TimedOut],
  111: ["ECONNREFUSED", Deno.errors.ConnectionRefused],
  113: ["EHOSTUNREACH", Error],
};

/**
 * An Error for errno `code`, of the class Deno itself would throw (ConnectionRefused, …) and with
 * `code` set to the errno's name, so `isExpectedNetworkError` and `isOutOfDescriptors` apply.
 */
export function errnoError(code: number, what: string): Error {
  const [name, ErrorType] = ERRNO[code] ?? [`errno ${code}`, Error];
  const error = new ErrorType(`${what}: ${name}`);
  return Object.assign(error, { code: name });
}
