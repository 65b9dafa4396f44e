/**
 * How a connection begins, against the node's `--proxy-protocol`: with a PROXY header (v1 or v2)
 * where one is required, without one where none is. Every node looks, so a mismatch between
 * lb(comm) and comm is named instead of showing up as garbage JSON. Pure.
 */
import type { ProtocolError } from "@fleetmon/shared/errors";
import type { HostPort } from "@fleetmon/shared/net";
import { PROXY_V2_SIGNATURE, readProxyHeader } from "@fleetmon/shared/proxy_protocol";

export type ConnectionStart =
  /** Too few bytes to tell: read more (at most a PROXY header's length). */
  | { status: "incomplete" }
  /** As configured: `rest` is the device's first bytes; `client` its address from the header. */
  | { status: "ok"; rest: Uint8Array; client?: HostPort }
  /** Against the setting: no header where one is required, or one where none is. */
  | { status: "mismatch"; outcome: "missing" | "unexpected" }
  /** A header was expected and one began, but it is broken. */
  | { status: "bad_header"; error: ProtocolError };

export function readConnectionStart(bytes: Uint8Array, proxyExpected: boolean): ConnectionStart {
  const header = readProxyHeader(bytes);
  if (header.status === "incomplete") return { status: "incomplete" };
  if (header.status === "complete") {
    if (!proxyExpected) return { status: "mismatch", outcome: "unexpected" };
    const rest = bytes.subarray(header.headerLength);
    return header.command === "proxy" && header.source
      ? { status: "ok", rest, client: header.source }
      : { status: "ok", rest };
  }
  if (!proxyExpected) return { status: "ok", rest: bytes };
  return startsLikeProxyHeader(bytes)
    ? { status: "bad_header", error: header.error }
    : { status: "mismatch", outcome: "missing" };
}

const PROXY_V1_START = new TextEncoder().encode("PROXY ");

/** Whether the bytes begin like a PROXY header of either version (however broken after that). */
function startsLikeProxyHeader(bytes: Uint8Array): boolean {
  const starts = (prefix: Uint8Array) =>
    bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
  return starts(PROXY_V1_START) || starts(PROXY_V2_SIGNATURE);
}
