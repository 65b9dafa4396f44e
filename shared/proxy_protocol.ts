/**
 * The PROXY protocol (haproxy.org/download/2.6/doc/proxy-protocol.txt), versions 1 and 2: the
 * balancer writes one header before the client's bytes so a backend learns the client's address.
 * Pure: encoders return bytes, the decoder looks at the first bytes of a connection.
 */
import { ProtocolError } from "./errors.ts";
import { formatIPv4, formatIPv6, mapIPv4, parseIPv4, parseIPv6, unmapIPv4 } from "./ip.ts";
import type { HostPort } from "./net.ts";

export type ProxyProtocolVersion = "v1" | "v2";
export type ProxyFamily = "tcp4" | "tcp6" | "unknown";

/** The 12 bytes every version 2 header starts with. */
export const PROXY_V2_SIGNATURE = new Uint8Array([
  0x0d,
  0x0a,
  0x0d,
  0x0a,
  0x00,
  0x0d,
  0x0a,
  0x51,
  0x55,
  0x49,
  0x54,
  0x0a,
]);
/** A version 1 header is at most 107 bytes, CRLF included. */
export const PROXY_V1_MAX_LENGTH = 107;

export interface ProxyHeader {
  version: 1 | 2;
  /** "local": the connection is the proxy's own (a health check); use the socket's addresses. */
  command: "proxy" | "local";
  family: ProxyFamily;
  /** The client's address; absent for "local" and "unknown". */
  source?: HostPort;
  /** The address the client connected to; absent for "local" and "unknown". */
  dest?: HostPort;
  /** Bytes the header takes at the start of the connection; the client's data follows. */
  headerLength: number;
}

export type ProxyHeaderResult =
  | ({ status: "complete" } & ProxyHeader)
  | { status: "incomplete" }
  | { status: "invalid"; error: ProtocolError };

const encoder = new TextEncoder();
const V1_PREFIX = encoder.encode("PROXY ");

interface AddressPair {
  family: "tcp4" | "tcp6";
  source: Uint8Array;
  dest: Uint8Array;
}

/** Both addresses as one family: IPv4 when both can be, else IPv6 (IPv4 mapped), else none. */
function addressPair(source?: HostPort, dest?: HostPort): AddressPair | undefined {
  if (!source || !dest) return undefined;
  const v4 = (host: string) => {
    const v6 = parseIPv6(host);
    return parseIPv4(host) ?? (v6 && unmapIPv4(v6));
  };
  const v6 = (host: string) => {
    const v4Bytes = parseIPv4(host);
    return v4Bytes ? mapIPv4(v4Bytes) : parseIPv6(host);
  };
  const [s4, d4] = [v4(source.hostname), v4(dest.hostname)];
  if (s4 && d4) return { family: "tcp4", source: s4, dest: d4 };
  const [s6, d6] = [v6(source.hostname), v6(dest.hostname)];
  if (s6 && d6) return { family: "tcp6", source: s6, dest: d6 };
  return undefined;
}

/** `PROXY TCP4 src dst sport dport\r\n`; `PROXY UNKNOWN\r\n` when the addresses are not IPs. */
export function encodeProxyV1(source?: HostPort, dest?: HostPort): Uint8Array {
  const pair = addressPair(source, dest);
  if (!pair || !source || !dest) return encoder.encode("PROXY UNKNOWN\r\n");
  const format = pair.family === "tcp4" ? formatIPv4 : formatIPv6;
  const protocol = pair.family === "tcp4" ? "TCP4" : "TCP6";
  return encoder.encode(
    `PROXY ${protocol} ${format(pair.source)} ${format(pair.dest)} ${source.port} ${dest.port}\r\n`,
  );
}

/** The binary header; command LOCAL (for the proxy's own connections) when no addresses are given. */
export function encodeProxyV2(source?: HostPort, dest?: HostPort): Uint8Array {
  const local = !source || !dest;
  const pair = addressPair(source, dest);
  const addressLength = !pair ? 0 : pair.family === "tcp4" ? 12 : 36;
  const bytes = new Uint8Array(16 + addressLength);
  bytes.set(PROXY_V2_SIGNATURE);
  bytes[12] = local ? 0x20 : 0x21;
  bytes[13] = !pair ? 0x00 : pair.family === "tcp4" ? 0x11 : 0x21;
  bytes[14] = addressLength >> 8;
  bytes[15] = addressLength & 0xff;
  if (pair && source && dest) {
    const size = pair.source.length;
    bytes.set(pair.source, 16);
    bytes.set(pair.dest, 16 + size);
    const view = new DataView(bytes.buffer);
    view.setUint16(16 + 2 * size, source.port);
    view.setUint16(18 + 2 * size, dest.port);
  }
  return bytes;
}

export function encodeProxyHeader(
  version: ProxyProtocolVersion,
  source?: HostPort,
  dest?: HostPort,
): Uint8Array {
  return version === "v1" ? encodeProxyV1(source, dest) : encodeProxyV2(source, dest);
}

/**
 * Reads a PROXY header (either version) from the first bytes of a connection. "incomplete" means
 * the bytes so far are a valid start: read more and call again with all of them.
 */
export function readProxyHeader(bytes: Uint8Array): ProxyHeaderResult {
  if (bytes.length === 0) return { status: "incomplete" };
  if (bytes[0] === PROXY_V2_SIGNATURE[0]) return readV2(bytes);
  if (bytes[0] === V1_PREFIX[0]) return readV1(bytes);
  return invalid("connection does not start with a PROXY protocol signature");
}

function invalid(detail: string): ProxyHeaderResult {
  return {
    status: "invalid",
    error: new ProtocolError("proxy_header_invalid", `Cannot read PROXY header: ${detail}`),
  };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  const length = Math.min(bytes.length, prefix.length);
  for (let i = 0; i < length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function readV1(bytes: Uint8Array): ProxyHeaderResult {
  if (!startsWith(bytes, V1_PREFIX)) return invalid("version 1 header does not start with PROXY");
  const limit = Math.min(bytes.length, PROXY_V1_MAX_LENGTH);
  let end = -1;
  for (let i = V1_PREFIX.length; i < limit - 1; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    return bytes.length >= PROXY_V1_MAX_LENGTH
      ? invalid(`version 1 header has no CRLF in its first ${PROXY_V1_MAX_LENGTH} bytes`)
      : { status: "incomplete" };
  }
  const line = String.fromCharCode(...bytes.subarray(0, end));
  const headerLength = end + 2;
  const parts = line.split(" ");
  if (parts[1] === "UNKNOWN") {
    return { status: "complete", version: 1, command: "proxy", family: "unknown", headerLength };
  }
  if (parts.length !== 6 || (parts[1] !== "TCP4" && parts[1] !== "TCP6")) {
    return invalid(`version 1 header is malformed: "${line}"`);
  }
  const family = parts[1] === "TCP4" ? "tcp4" : "tcp6";
  const parse = family === "tcp4" ? parseIPv4 : parseIPv6;
  const [source, dest] = [parse(parts[2]), parse(parts[3])];
  const [sourcePort, destPort] = [parsePort(parts[4]), parsePort(parts[5])];
  if (!source || !dest || sourcePort === undefined || destPort === undefined) {
    return invalid(`version 1 header has a bad ${parts[1]} address or port: "${line}"`);
  }
  const format = family === "tcp4" ? formatIPv4 : formatIPv6;
  return {
    status: "complete",
    version: 1,
    command: "proxy",
    family,
    source: { hostname: format(source), port: sourcePort },
    dest: { hostname: format(dest), port: destPort },
    headerLength,
  };
}

function parsePort(text: string): number | undefined {
  if (!/^(0|[1-9]\d{0,4})$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

function readV2(bytes: Uint8Array): ProxyHeaderResult {
  if (!startsWith(bytes, PROXY_V2_SIGNATURE)) return invalid("version 2 signature does not match");
  if (bytes.length < 16) return { status: "incomplete" };
  if (bytes[12] >> 4 !== 2) return invalid(`version 2 header has version ${bytes[12] >> 4}`);
  const commandBits = bytes[12] & 0x0f;
  if (commandBits > 1) return invalid(`version 2 header has unknown command ${commandBits}`);
  const command = commandBits === 0 ? "local" : "proxy";
  const length = (bytes[14] << 8) | bytes[15];
  const headerLength = 16 + length;
  if (bytes.length < headerLength) return { status: "incomplete" };
  const family = bytes[13] === 0x11 ? "tcp4" : bytes[13] === 0x21 ? "tcp6" : "unknown";
  if (command === "local" || family === "unknown") {
    return { status: "complete", version: 2, command, family: "unknown", headerLength };
  }
  const size = family === "tcp4" ? 4 : 16;
  if (length < 2 * size + 4) {
    return invalid(`version 2 header is too short for ${family}: ${length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = family === "tcp4" ? formatIPv4 : formatIPv6;
  return {
    status: "complete",
    version: 2,
    command,
    family,
    source: {
      hostname: format(bytes.subarray(16, 16 + size)),
      port: view.getUint16(16 + 2 * size),
    },
    dest: {
      hostname: format(bytes.subarray(16 + size, 16 + 2 * size)),
      port: view.getUint16(18 + 2 * size),
    },
    headerLength,
  };
}
