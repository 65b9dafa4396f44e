/**
 * One connection's life, from hello to close: waits for welcome, sends buffered readings within
 * the in-flight window and at the rate comm's welcome gives (`limits.ratePerSecond`, `rateBurst`),
 * pauses after "retry later", pings when idle, gives up on a silent peer, and stops sending once
 * asked to reconnect. Ends by resolving `ended` with what happened.
 */
import { type NackFrame, type ServerFrame, TokenBucket } from "@fleetmon/shared/protocol";
import { Link } from "./link.ts";
import type { BufferedReading, UnackedBuffer } from "./unacked_buffer.ts";

/** Refusals that no reconnect can fix: the client stops and reports them. */
const FATAL_FOR_CLIENT: ReadonlySet<string> = new Set([
  "unknown_device",
  "bad_token",
  "device_disabled",
  "token_revoked",
  "unsupported_version",
]);

export interface SessionEnd {
  reason: string;
  /** Set when comm refused the device for good. */
  fatal?: NackFrame;
  /** Set when comm asked to reconnect: how long it asked to wait, from now. */
  retryAfterMs?: number;
}

export interface SessionOptions {
  now(): number;
  buffer: UnackedBuffer;
  maxInFlight: number;
  helloTimeoutMs: number;
  ackTimeoutMs: number;
  pingIntervalMs: number;
  drainWaitMs: number;
  hello: Record<string, unknown>;
  /** Every frame from comm, after the session's own bookkeeping. */
  onFrame(frame: ServerFrame): void;
  onSent(readings: BufferedReading[]): void;
}

export class Session {
  readonly #o: SessionOptions;
  readonly #link: Link;
  readonly ended: Promise<SessionEnd>;
  #resolve!: (end: SessionEnd) => void;
  node: string | undefined;
  welcomed = false;
  /** A fatal nack comm sent; it closes the connection after it. */
  fatalNack: NackFrame | undefined;
  #draining = false;
  #retryAt = 0;
  #pausedUntil = 0;
  /** comm's rate limit from welcome, kept on this side so comm never has to slow us. */
  #pacer: TokenBucket | undefined;
  #lastHeardAt: number;
  #lastSentAt: number;
  /** Since when something sent waits for an answer (readings in flight, or a ping). */
  #awaitingSince: number | undefined;
  #pingOutstanding = false;
  #closeReason: string | undefined;
  #helloTimer: ReturnType<typeof setTimeout> | undefined;
  #pauseTimer: ReturnType<typeof setTimeout> | undefined;
  #drainTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(conn: Deno.Conn, options: SessionOptions) {
    this.#o = options;
    this.ended = new Promise((resolve) => this.#resolve = resolve);
    this.#lastHeardAt = this.#lastSentAt = options.now();
    this.#link = new Link(conn, {
      onFrame: (frame) => this.#onFrame(frame),
      onClosed: (error) => this.#onClosed(error),
    });
    this.#link.write(JSON.stringify(options.hello) + "\n");
    this.#helloTimer = setTimeout(
      () => this.#abort(`no welcome within ${options.helloTimeoutMs} ms`),
      options.helloTimeoutMs,
    );
  }

  /** Sends pending readings while the window has room and nothing holds sending back. */
  pump(): void {
    if (!this.welcomed || this.#draining || this.#link.closed) return;
    const now = this.#o.now();
    if (now < this.#pausedUntil) return this.#pumpLater(this.#pausedUntil - now);
    const buffer = this.#o.buffer;
    let room = Math.min(this.#o.maxInFlight - buffer.inFlight, buffer.pending);
    if (room <= 0) return;
    if (this.#pacer) {
      const granted = this.#pacer.takeUpTo(room, now);
      if (granted < room) this.#pumpLater(this.#pacer.msUntilToken(now));
      room = granted;
    }
    const readings: BufferedReading[] = [];
    while (readings.length < room) {
      const reading = buffer.takeNext();
      if (!reading) break;
      readings.push(reading);
    }
    if (readings.length === 0) return;
    this.#link.write(
      readings.map((r) =>
        `{"type":"reading","seq":${r.seq},"ts":${r.ts},"metrics":${JSON.stringify(r.metrics)}}\n`
      ).join(""),
    );
    this.#lastSentAt = now;
    this.#awaitingSince ??= now;
    this.#o.onSent(readings);
  }

  #pumpLater(delayMs: number): void {
    this.#pauseTimer ??= setTimeout(() => {
      this.#pauseTimer = undefined;
      this.pump();
    }, delayMs);
  }

  /** "Retry later" for one reading: back to pending, and nothing is sent for `delayMs`. */
  retryLater(seq: number, delayMs: number): void {
    this.#o.buffer.requeue(seq);
    const until = this.#o.now() + delayMs;
    if (until > this.#pausedUntil) {
      this.#pausedUntil = until;
      clearTimeout(this.#pauseTimer);
      this.#pauseTimer = undefined;
    }
  }

  close(reason = "closed"): void {
    this.#closeReason ??= reason;
    this.#link.close();
  }

  #abort(reason: string): void {
    this.close(reason);
  }

  #onFrame(frame: ServerFrame): void {
    const now = this.#o.now();
    this.#lastHeardAt = now;
    if (frame.type === "welcome") {
      if (this.welcomed) return;
      this.welcomed = true;
      this.node = frame.node;
      clearTimeout(this.#helloTimer);
      this.#pacer = pacerFor(frame.limits, now);
      this.#o.buffer.requeueAll();
      const tick = Math.max(20, Math.min(this.#o.pingIntervalMs, this.#o.ackTimeoutMs) / 3);
      this.#watchdog = setInterval(() => this.#check(), tick);
      this.#o.onFrame(frame);
      this.pump();
      return;
    }
    if (frame.type === "reconnect") {
      this.#draining = true;
      this.#retryAt = now + frame.retryAfterMs;
      this.#drainTimer ??= setTimeout(
        () => this.#abort("comm did not close after asking to reconnect"),
        frame.retryAfterMs + this.#o.drainWaitMs,
      );
    }
    if (frame.type === "pong") this.#pingOutstanding = false;
    this.#o.onFrame(frame);
    if (frame.type === "nack" && (frame.fatal || frame.seq === undefined)) {
      this.#abort(`refused: ${frame.code}: ${frame.reason}`);
      return;
    }
    if (this.#o.buffer.inFlight === 0 && !this.#pingOutstanding) this.#awaitingSince = undefined;
    this.pump();
  }

  #check(): void {
    const now = this.#o.now();
    if (
      this.#awaitingSince !== undefined &&
      now - Math.max(this.#lastHeardAt, this.#awaitingSince) >= this.#o.ackTimeoutMs
    ) {
      return this.#abort(`no answer from comm within ${this.#o.ackTimeoutMs} ms`);
    }
    if (!this.#draining && now - this.#lastSentAt >= this.#o.pingIntervalMs) {
      this.#link.write('{"type":"ping"}\n');
      this.#lastSentAt = now;
      this.#pingOutstanding = true;
      this.#awaitingSince ??= now;
    }
  }

  #onClosed(error: unknown): void {
    clearTimeout(this.#helloTimer);
    clearTimeout(this.#pauseTimer);
    clearTimeout(this.#drainTimer);
    clearInterval(this.#watchdog);
    const nack = this.fatalNack;
    if (nack) {
      this.#resolve({
        reason: `refused: ${nack.code}: ${nack.reason}`,
        fatal: FATAL_FOR_CLIENT.has(nack.code) ? nack : undefined,
      });
    } else if (this.#draining) {
      this.#resolve({
        reason: "comm asked to reconnect",
        retryAfterMs: Math.max(0, this.#retryAt - this.#o.now()),
      });
    } else {
      const why = this.#closeReason ??
        (error instanceof Error ? error.message : error ? String(error) : "closed by comm");
      this.#resolve({ reason: why });
    }
  }
}

/** A bucket for the rate a welcome gives; none when it gives none (older servers) or nonsense. */
function pacerFor(limits: unknown, now: number): TokenBucket | undefined {
  const { ratePerSecond, rateBurst } = (limits ?? {}) as Record<string, unknown>;
  if (typeof ratePerSecond !== "number" || typeof rateBurst !== "number") return undefined;
  if (!(ratePerSecond > 0 && rateBurst >= 1 && Number.isFinite(ratePerSecond))) return undefined;
  return new TokenBucket(ratePerSecond, rateBurst, now);
}
