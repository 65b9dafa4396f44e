/**
 * The reference device client (docs/protocol.md, "Writing a device"): connects through lb(comm),
 * says hello, sends readings with increasing seqs, keeps every unacknowledged one in a bounded
 * buffer (optionally journaled to a file), resends them after reconnecting, reconnects with
 * exponential backoff and jitter, honours "retry later" and "reconnect", and stops for good on
 * a refused identity.
 *
 * Seqs: the first is max(last seq in the buffer file + 1, now_ms × 1000), then one more per
 * reading. now_ms × 1000 stays below 2^53−1 until the year 2255 and grows by 10^6 a second, so
 * seqs keep increasing across restarts even without a buffer file unless the clock steps back
 * (the file covers that) or a device sends more than 1000 readings per millisecond.
 */
import { AuthError, ProtocolError } from "@fleetmon/shared/errors";
import { createLogger, type Logger } from "@fleetmon/shared/log";
import { formatHostPort } from "@fleetmon/shared/net";
import { connectWithTimeout } from "@fleetmon/shared/socket";
import {
  type NackFrame,
  PROTOCOL_VERSION,
  RETRYABLE_CODES,
  type ServerFrame,
} from "@fleetmon/shared/protocol";
import { Backoff } from "./backoff.ts";
import { FileJournal } from "./journal.ts";
import { checkReading } from "./reading_check.ts";
import type { ClientState, DeviceClientOptions, DeviceClientStats, DropReason } from "./types.ts";
import { type BufferedReading, UnackedBuffer } from "./unacked_buffer.ts";
import { Session, type SessionEnd } from "./session.ts";

const MAX_LINE_BYTES = 65_536;

export interface DeviceClient {
  readonly device: string;
  readonly state: ClientState;
  /** The comm node of the current connection. */
  readonly node: string | undefined;
  /** Why the client stopped, once `state` is "failed". */
  readonly error: Error | undefined;
  readonly stats: DeviceClientStats;
  /** Buffers a reading and sends it when connected; returns its seq. */
  send(metrics: Record<string, number>, ts?: number): number;
  /** Resolves true once every buffered reading is acked; false on timeout or failure. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Stops for good. Unacked readings stay in the buffer file, if there is one. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function createDeviceClient(options: DeviceClientOptions): DeviceClient {
  return new Client(options);
}

class Client implements DeviceClient {
  readonly device: string;
  readonly #options: DeviceClientOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #buffer: UnackedBuffer;
  readonly #journal: FileJournal | undefined;
  readonly #backoff: Backoff;
  readonly #counters = {
    connects: 0,
    connectFailures: 0,
    sent: 0,
    resent: 0,
    acked: 0,
    nacked: {} as Record<string, number>,
    dropped: {} as Record<string, number>,
  };
  #state: ClientState = "connecting";
  #error: Error | undefined;
  #lastSeq: number;
  #highestSent = 0;
  #session: Session | undefined;
  #closed = false;
  #wake: (() => void) | undefined;
  #drainWaiters = new Set<() => void>();
  #lastOverflowLog = -Infinity;
  #lastDisconnect: string | undefined;
  readonly #runner: Promise<void>;

  constructor(options: DeviceClientOptions) {
    this.#options = options;
    this.device = options.device;
    this.#logger = (options.logger ?? createLogger({ service: "device", level: "error" }))
      .child({ device: options.device });
    this.#now = options.now ?? Date.now;
    this.#backoff = new Backoff(options.backoff, options.random);
    this.#buffer = new UnackedBuffer(options.bufferLimit);
    let lastSeq = 0;
    if (options.bufferFile) {
      const { journal, state } = FileJournal.open(options.bufferFile);
      this.#journal = journal;
      for (const reading of state.readings) this.#buffer.add(reading);
      lastSeq = state.lastSeq;
      if (state.readings.length > 0 || state.skipped > 0) {
        this.#logger.info("buffer file loaded", {
          file: options.bufferFile,
          unacked: state.readings.length,
          skippedLines: state.skipped,
        });
      }
    }
    this.#lastSeq = Math.max(lastSeq, Math.floor(this.#now() * 1000));
    this.#runner = this.#run();
  }

  get state(): ClientState {
    return this.#state;
  }

  get node(): string | undefined {
    return this.#session?.node;
  }

  get error(): Error | undefined {
    return this.#error;
  }

  get stats(): DeviceClientStats {
    const c = this.#counters;
    return {
      ...c,
      nacked: { ...c.nacked },
      dropped: { ...c.dropped },
      buffered: this.#buffer.size,
      inFlight: this.#buffer.inFlight,
      ...(this.#lastDisconnect ? { lastDisconnect: this.#lastDisconnect } : {}),
    };
  }

  send(metrics: Record<string, number>, ts: number = this.#now()): number {
    if (this.#closed) throw new Error("Cannot send reading: the device client is closed");
    if (this.#error) {
      throw new Error(`Cannot send reading: the device client stopped: ${this.#error.message}`, {
        cause: this.#error,
      });
    }
    checkReading(metrics, ts);
    const seq = this.#lastSeq + 1;
    if (seq > Number.MAX_SAFE_INTEGER) throw new RangeError("Cannot send reading: seq exhausted");
    const reading: BufferedReading = { seq, ts, metrics: { ...metrics } };
    const line = JSON.stringify({ type: "reading", ...reading });
    if (
      line.length >= MAX_LINE_BYTES / 4 && new TextEncoder().encode(line).length > MAX_LINE_BYTES
    ) {
      throw new RangeError(`Cannot send reading: its frame exceeds ${MAX_LINE_BYTES} bytes`);
    }
    this.#lastSeq = seq;
    const dropped = this.#buffer.add(reading);
    this.#journal?.added(reading);
    if (dropped.length > 0) this.#drop(dropped, "overflow");
    this.#compactJournal();
    this.#session?.pump();
    return seq;
  }

  drain(timeoutMs: number): Promise<boolean> {
    if (this.#buffer.size === 0) return Promise.resolve(true);
    if (this.#error || this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.#drainWaiters.delete(check);
        resolve(result);
      };
      const check = () => {
        if (this.#buffer.size === 0) done(true);
        else if (this.#error || this.#closed) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#drainWaiters.add(check);
    });
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#wake?.();
      this.#session?.close();
      for (const check of [...this.#drainWaiters]) check();
    }
    await this.#runner;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #run(): Promise<void> {
    let delay = 0;
    while (!this.#closed) {
      if (delay > 0) {
        this.#setState("backoff");
        await this.#sleep(delay);
        if (this.#closed) break;
      }
      this.#setState("connecting");
      const end = await this.#connectOnce();
      if (this.#closed) break;
      this.#lastDisconnect = end.reason;
      if (end.fatal) {
        this.#fail(end.fatal);
        break;
      }
      if (end.retryAfterMs !== undefined) {
        this.#backoff.reset();
        delay = end.retryAfterMs + this.#backoff.next();
      } else delay = this.#backoff.next();
      this.#logger.info("disconnected", { reason: end.reason, retryInMs: delay });
    }
    this.#journal?.close();
    if (this.#state !== "failed") this.#setState("closed");
  }

  async #connectOnce(): Promise<SessionEnd> {
    const o = this.#options;
    let conn: Deno.TcpConn;
    try {
      conn = await connectWithTimeout(o.target, o.connectTimeoutMs ?? 10_000);
    } catch (error) {
      this.#counters.connectFailures++;
      return { reason: `cannot connect to ${formatHostPort(o.target)}: ${describe(error)}` };
    }
    if (this.#closed) {
      conn.close();
      return { reason: "closed" };
    }
    const session = new Session(conn, {
      now: this.#now,
      buffer: this.#buffer,
      maxInFlight: o.maxInFlight ?? 1_000,
      helloTimeoutMs: o.helloTimeoutMs ?? 10_000,
      ackTimeoutMs: o.ackTimeoutMs ?? 60_000,
      pingIntervalMs: o.pingIntervalMs ?? 30_000,
      drainWaitMs: o.drainWaitMs ?? 10_000,
      hello: {
        type: "hello",
        v: PROTOCOL_VERSION,
        device: o.device,
        token: o.token,
        ...(o.agent ? { agent: o.agent } : {}),
      },
      onFrame: (frame) => this.#onFrame(session, frame),
      onSent: (readings) => this.#onSent(readings),
    });
    this.#session = session;
    const end = await session.ended;
    this.#session = undefined;
    this.#buffer.requeueAll();
    if (!session.welcomed) this.#counters.connectFailures++;
    return end;
  }

  #onFrame(session: Session, frame: ServerFrame): void {
    switch (frame.type) {
      case "welcome":
        this.#counters.connects++;
        this.#setState("ready");
        this.#logger.info("connected", { commNode: frame.node });
        break;
      case "ack":
        this.#onAck(frame.from ?? frame.seq, frame.seq);
        break;
      case "nack":
        this.#onNack(session, frame);
        break;
      case "reconnect":
        this.#setState("draining");
        this.#logger.info("asked to reconnect", {
          commNode: session.node,
          reason: frame.reason,
          retryAfterMs: frame.retryAfterMs,
        });
        break;
    }
  }

  #onSent(readings: BufferedReading[]): void {
    this.#counters.sent += readings.length;
    for (const reading of readings) {
      if (reading.seq <= this.#highestSent) this.#counters.resent++;
      else this.#highestSent = reading.seq;
    }
  }

  #onAck(from: number, to: number): void {
    const removed = this.#buffer.ack(from, to);
    if (removed.length === 0) return;
    this.#backoff.reset();
    this.#journal?.acked(from, to);
    this.#compactJournal();
    this.#counters.acked += removed.length;
    this.#options.events?.onAcked?.(removed.map((r) => r.seq));
    this.#checkDrained();
  }

  #onNack(session: Session, frame: NackFrame): void {
    if (frame.fatal || frame.seq === undefined) {
      session.fatalNack = frame;
      this.#count(this.#counters.nacked, frame.code);
      return;
    }
    const seq = frame.seq;
    this.#count(this.#counters.nacked, frame.code);
    this.#options.events?.onNacked?.(seq, frame.code, frame.reason);
    if (RETRYABLE_CODES.has(frame.code)) {
      session.retryLater(seq, frame.retryAfterMs ?? 1_000);
      return;
    }
    const removed = this.#buffer.remove(seq);
    if (removed) {
      this.#journal?.removed(seq);
      this.#drop([removed], frame.code);
      this.#logger.warn("reading refused", { seq, code: frame.code, reason: frame.reason });
    }
  }

  #drop(readings: BufferedReading[], reason: DropReason): void {
    this.#counters.dropped[reason] = (this.#counters.dropped[reason] ?? 0) + readings.length;
    if (reason === "overflow") {
      for (const reading of readings) this.#journal?.removed(reading.seq);
      const now = this.#now();
      if (now - this.#lastOverflowLog >= 10_000) {
        this.#lastOverflowLog = now;
        this.#logger.warn("buffer full: dropping the oldest readings", {
          bufferLimit: this.#buffer.limit,
          droppedSoFar: this.#counters.dropped.overflow,
        });
      }
    }
    this.#options.events?.onDropped?.(readings, reason);
    this.#checkDrained();
  }

  #fail(nack: NackFrame): void {
    const message = `Cannot send as ${this.device}: ${nack.code}: ${nack.reason}`;
    this.#error = nack.code === "unsupported_version"
      ? new ProtocolError(nack.code, message)
      : new AuthError(nack.code, message);
    this.#logger.error("device refused; not reconnecting", {
      code: nack.code,
      reason: nack.reason,
    });
    this.#setState("failed");
    this.#options.events?.onFailed?.(this.#error);
    this.#checkDrained();
  }

  #setState(to: ClientState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#options.events?.onStateChange?.(from, to);
  }

  #checkDrained(): void {
    for (const check of [...this.#drainWaiters]) check();
  }

  #compactJournal(): void {
    this.#journal?.compactIfLarge(() => this.#buffer.readings(), this.#buffer.size, this.#lastSeq);
  }

  #count(record: Record<string, number>, key: string): void {
    record[key] = (record[key] ?? 0) + 1;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
