/** Nack codes of protocol version 1 (docs/protocol.md, "Errors"). */
export type NackCode =
  | "unsupported_version"
  | "hello_required"
  | "hello_timeout"
  | "unknown_device"
  | "bad_token"
  | "device_disabled"
  | "token_revoked"
  | "invalid_frame"
  | "too_large"
  | "invalid_reading"
  | "rate_limited"
  | "server_busy"
  | "idle_timeout";

/** Codes after which the reading may be sent again and can still be accepted. */
export const RETRYABLE_CODES: ReadonlySet<NackCode> = new Set(["rate_limited", "server_busy"]);

export const PROTOCOL_VERSION = 1;

/** What a device must respect; the server sends its own in `welcome.limits`. */
export interface ProtocolLimits {
  maxLineBytes: number;
  maxMetrics: number;
  helloTimeoutMs: number;
  idleTimeoutMs: number;
  /** Readings a second one connection may send on average (a token bucket's rate)… */
  ratePerSecond: number;
  /** …and at once after a quiet spell (the bucket's size). Faster input is read more slowly. */
  rateBurst: number;
}

export const DEFAULT_LIMITS: ProtocolLimits = {
  maxLineBytes: 65_536,
  maxMetrics: 64,
  helloTimeoutMs: 10_000,
  idleTimeoutMs: 120_000,
  ratePerSecond: 100,
  rateBurst: 200,
};

/** How far a reading's timestamp may lie from the server's clock. */
export const MAX_READING_AGE_MS = 30 * 24 * 3600_000;
export const MAX_READING_FUTURE_MS = 5 * 60_000;
