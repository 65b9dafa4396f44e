/**
 * One health check against one address: a TCP connect, a send/expect exchange, or an HTTP(S)
 * GET whose status must be 2xx or 3xx. A probe never throws: it says ok, or why not.
 */
import net from "node:net";
import tls from "node:tls";
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import { parseIPv4, parseIPv6 } from "@fleetmon/shared/ip";
import { closeQuietly, connectWithTimeout, describeError, writeAll } from "./_net.ts";

export type CheckSpec =
  | { kind: "tcp" }
  /** Sends `send` (may be empty) and passes once `expect` appears in what comes back. */
  | { kind: "expect"; send: Uint8Array; expect: Uint8Array }
  /**
   * GET `path`. With `tls`, the certificate is not verified unless `caCerts` are given (the
   * web tier's is self-signed); with them the chain is verified, and the name too if `host` is.
   */
  | { kind: "http"; path: string; tls: boolean; host?: string; caCerts?: string[] };

export interface ProbeResult {
  ok: boolean;
  detail?: string;
}

export interface ProbeOptions {
  timeoutMs: number;
  /** Bytes to send first, e.g. a PROXY protocol LOCAL header when the backend expects one. */
  preamble?: Uint8Array;
}

const MAX_REPLY = 16 * 1024;

export function probe(spec: CheckSpec, address: HostPort, options: ProbeOptions) {
  switch (spec.kind) {
    case "tcp":
      return probeTcp(address, options.timeoutMs);
    case "expect":
      return probeExpect(spec, address, options);
    case "http":
      return probeHttp(spec, address, options);
  }
}

async function probeTcp(address: HostPort, timeoutMs: number): Promise<ProbeResult> {
  try {
    closeQuietly(await connectWithTimeout(address, timeoutMs));
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: describeError(error) };
  }
}

async function probeExpect(
  spec: Extract<CheckSpec, { kind: "expect" }>,
  address: HostPort,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const started = performance.now();
  let conn: Deno.TcpConn | undefined;
  const timer = setTimeout(() => conn && closeQuietly(conn), options.timeoutMs);
  try {
    conn = await connectWithTimeout(address, options.timeoutMs);
    if (options.preamble) await writeAll(conn, options.preamble);
    if (spec.send.length > 0) await writeAll(conn, spec.send);
    const reply = new Uint8Array(MAX_REPLY);
    let length = 0;
    while (length < MAX_REPLY) {
      const n = await conn.read(reply.subarray(length));
      if (n === null) break;
      length += n;
      if (indexOf(reply.subarray(0, length), spec.expect) >= 0) return { ok: true };
    }
    return { ok: false, detail: `reply of ${length} bytes lacks the expected bytes` };
  } catch (error) {
    if (performance.now() - started >= options.timeoutMs) {
      return { ok: false, detail: `TimedOut: no expected reply in ${options.timeoutMs} ms` };
    }
    return { ok: false, detail: describeError(error) };
  } finally {
    clearTimeout(timer);
    if (conn) closeQuietly(conn);
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function probeHttp(
  spec: Extract<CheckSpec, { kind: "http" }>,
  address: HostPort,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const host = spec.host ?? formatHostPort(address);
  const request = `GET ${spec.path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: fleetmon-lb\r\n` +
    `Accept: */*\r\nConnection: close\r\n\r\n`;
  return new Promise((resolve) => {
    const socket = spec.tls
      ? connectTls(spec, address)
      : net.connect(address.port, address.hostname);
    let reply = "";
    const finish = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, detail: `TimedOut: no HTTP status in ${options.timeoutMs} ms` }),
      options.timeoutMs,
    );
    socket.once(spec.tls ? "secureConnect" : "connect", () => {
      if (options.preamble && !spec.tls) socket.write(options.preamble);
      socket.write(request);
    });
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      reply += chunk;
      const end = reply.indexOf("\r\n");
      if (end < 0 && reply.length < MAX_REPLY) return;
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(reply.slice(0, Math.max(end, 0)))?.[1];
      if (!status) return finish({ ok: false, detail: "reply is not HTTP/1.x" });
      const code = Number(status);
      finish({ ok: code >= 200 && code < 400, detail: `status ${code}` });
    });
    socket.on("end", () => finish({ ok: false, detail: "connection closed before a status" }));
    socket.on("error", (error: Error) => finish({ ok: false, detail: describeError(error) }));
  });
}

function connectTls(spec: Extract<CheckSpec, { kind: "http" }>, address: HostPort) {
  const verify = spec.caCerts !== undefined;
  const isIp = !!(parseIPv4(address.hostname) ?? parseIPv6(address.hostname));
  return tls.connect({
    host: address.hostname,
    port: address.port,
    servername: spec.host ?? (isIp ? undefined : address.hostname),
    ca: spec.caCerts,
    rejectUnauthorized: verify,
    checkServerIdentity: verify && spec.host ? undefined : () => undefined,
  });
}
