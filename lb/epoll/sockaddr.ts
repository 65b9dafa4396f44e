/** `struct sockaddr_in` and `sockaddr_in6` to and from host:port, for IP literals only. */
import type { HostPort } from "@fleetmon/shared/net";
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from "@fleetmon/shared/ip";
import { AF_INET, AF_INET6, type Libc } from "./libc.ts";

/** Big enough for either family: what accept4 and getsockname write into. */
export const SOCKADDR_MAX = 28;

/** The sockaddr for an IP literal and port, or undefined when `hostname` is a name. */
export function encodeSockaddr({ hostname, port }: HostPort): Uint8Array | undefined {
  const v4 = parseIPv4(hostname);
  const v6 = v4 ? undefined : parseIPv6(hostname);
  if (!v4 && !v6) return undefined;
  const bytes = new Uint8Array(v4 ? 16 : 28);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, v4 ? AF_INET : AF_INET6, true); // sa_family is in host order
  view.setUint16(2, port); // the port in network order
  if (v4) bytes.set(v4, 4);
  else bytes.set(v6!, 8); // after the flow info; the scope id stays 0
  return bytes;
}

/** The address in a sockaddr written by the kernel. */
export function decodeSockaddr(bytes: Uint8Array): HostPort {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const family = view.getUint16(0, true);
  const port = view.getUint16(2);
  if (family === AF_INET) return { hostname: formatIPv4(bytes.subarray(4, 8)), port };
  if (family === AF_INET6) return { hostname: formatIPv6(bytes.subarray(8, 24)), port };
  throw new TypeError(`Cannot decode socket address: family ${family} is not IPv4 or IPv6`);
}

/** The local address of socket `fd`, or undefined when the kernel cannot say (errno is set). */
export function localAddress(libc: Libc, fd: number): HostPort | undefined {
  const bytes = new Uint8Array(SOCKADDR_MAX);
  const length = new Uint32Array([SOCKADDR_MAX]);
  return libc.call.getsockname(fd, bytes, length) === 0 ? decodeSockaddr(bytes) : undefined;
}

/** AF_INET or AF_INET6, for a sockaddr made by `encodeSockaddr`. */
export function familyOf(sockaddr: Uint8Array): number {
  return sockaddr.length === 16 ? AF_INET : AF_INET6;
}
