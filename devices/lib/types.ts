/** The device client's options, events and counters. */
import type { Logger } from "@fleetmon/shared/log";
import type { HostPort } from "@fleetmon/shared/net";
import type { NackCode } from "@fleetmon/shared/protocol";
import type { BackoffOptions } from "./backoff.ts";
import type { BufferedReading } from "./unacked_buffer.ts";

export type ClientState = "connecting" | "ready" | "draining" | "backoff" | "failed" | "closed";

/** Why readings left the buffer without an ack: it overflowed, or comm refused them (nack code). */
export type DropReason = "overflow" | NackCode;

export interface DeviceClientEvents {
  /** Readings comm acknowledged as durably stored, in the order they were removed. */
  onAcked?(seqs: readonly number[]): void;
  /** Every nack that carries a seq, retryable or not. */
  onNacked?(seq: number, code: NackCode, reason: string): void;
  /** Readings that will never be sent again, and why. */
  onDropped?(readings: readonly BufferedReading[], reason: DropReason): void;
  onStateChange?(from: ClientState, to: ClientState): void;
  /** The client gave up for good (e.g. bad_token): it stopped and will not reconnect. */
  onFailed?(error: Error): void;
}

export interface DeviceClientOptions {
  /** lb(comm), or a comm node. */
  target: HostPort;
  device: string;
  token: string;
  /** Sent in hello, e.g. "fleetmon-agent/0.1". */
  agent?: string;
  logger?: Logger;
  /** Most unacknowledged readings kept; past it the oldest are dropped (reason "overflow"). */
  bufferLimit: number;
  /** Where to journal the buffer so that a restart loses nothing; memory only when omitted. */
  bufferFile?: string;
  backoff: BackoffOptions;
  /** Most readings sent and not yet acked or nacked at once (default 1,000). */
  maxInFlight?: number;
  connectTimeoutMs?: number;
  /** How long to wait for welcome after connecting (default 10 s). */
  helloTimeoutMs?: number;
  /** Reconnect when readings or a ping wait this long without any frame from comm (60 s). */
  ackTimeoutMs?: number;
  /** Send a ping after this long without sending anything (30 s; comm closes idle at 120 s). */
  pingIntervalMs?: number;
  /** After "reconnect", how long to let comm finish acking before closing ourselves (10 s). */
  drainWaitMs?: number;
  random?: () => number;
  now?: () => number;
  events?: DeviceClientEvents;
}

export interface DeviceClientStats {
  /** Connections that got as far as welcome. */
  connects: number;
  /** Connection attempts that failed before welcome (refused, timed out, closed). */
  connectFailures: number;
  /** Reading frames written, resends included, and resends alone. */
  sent: number;
  resent: number;
  acked: number;
  nacked: Record<string, number>;
  dropped: Record<string, number>;
  buffered: number;
  inFlight: number;
  /** Why the last connection ended (or failed to start), e.g. "refused: invalid_frame: …". */
  lastDisconnect?: string;
}
