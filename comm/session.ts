/**
 * One device connection: hello, then readings, each validated, batched for storage and acked
 * once stored (docs/protocol.md). Reading stops while the node's write queue is full.
 */
import type { ReadingDoc } from "@fleetmon/shared/db";
import { ProtocolError } from "@fleetmon/shared/errors";
import { delay } from "@fleetmon/shared/delay";
import type { Logger } from "@fleetmon/shared/log";
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import { closeQuietly, isExpectedNetworkError } from "@fleetmon/shared/socket";
import {
  encodeFrame,
  LineSplitter,
  type NackCode,
  type NackFrame,
  parseDeviceFrame,
  PROTOCOL_VERSION,
  type ProtocolLimits,
  ReadingError,
  type ReadingFrame,
  TokenBucket,
  UnknownFrameTypeError,
  welcomeFrame,
} from "@fleetmon/shared/protocol";
import { ackFrame, ackRanges } from "./ack_ranges.ts";
import type { Batcher, BatchOwner } from "./batcher.ts";
import type { DeviceAuthority } from "./device_auth.ts";
import { readConnectionStart } from "./connection_start.ts";
import { Outbound } from "./outbound.ts";
import type { ProxyMismatchMonitor, ProxyOutcome } from "./proxy_mismatch.ts";
import { type CommStats, countRejected } from "./stats.ts";

export interface SessionContext {
  node: string;
  limits: ProtocolLimits;
  logger: Logger;
  auth: DeviceAuthority;
  batcher: Batcher<ReadingDoc>;
  stats: CommStats;
  now(): number;
  readBufferBytes: number;
  maxOutboundBytes: number;
  /** How long to wait for this connection's readings to be stored once it is ending. */
  settleTimeoutMs: number;
  onAuthenticated(session: DeviceSession): void;
  /** Expect a PROXY protocol header (v1 or v2) from lb(comm) before the first frame. */
  proxyProtocol: boolean;
  /** Told how each connection began, so a --proxy-protocol mismatch fails /healthz. */
  proxyMonitor: ProxyMismatchMonitor;
}

const BUSY_RETRY_MS = 1_000;
const MAX_READ_BUFFER_BYTES = 65_536;

export class DeviceSession implements BatchOwner<ReadingDoc> {
  readonly #conn: Deno.Conn;
  readonly #ctx: SessionContext;
  // Made on first use: a load balancer's probe never sends a byte and should cost next to nothing.
  #outboundQueue: Outbound | undefined;
  #splitter: LineSplitter | undefined;
  readonly openedAt: number;
  lastActivity: number;
  device: string | undefined;
  tokenHash: string | undefined;
  #bucket: TokenBucket | undefined;
  #bytesIn = 0;
  #unstored = 0;
  #storedSeqs: number[] = [];
  #settled: (() => void) | undefined;
  #closing = false;
  #draining = false;
  #logger: Logger | undefined;
  /**
   * The first bytes, until it is clear whether they are a PROXY header (expected or not); then
   * undefined.
   */
  #proxyPending: Uint8Array | undefined = new Uint8Array(0);
  /** The device's own address, from the PROXY header. */
  #client: HostPort | undefined;

  constructor(conn: Deno.Conn, ctx: SessionContext) {
    this.#conn = conn;
    this.#ctx = ctx;
    this.openedAt = this.lastActivity = ctx.now();
  }

  get logger(): Logger {
    this.#logger ??= this.#ctx.logger.child({ remote: this.remote, device: this.device });
    return this.#logger;
  }

  get remote(): string {
    return formatHostPort(this.#client ?? this.#conn.remoteAddr as Deno.NetAddr);
  }

  get #outbound(): Outbound {
    this.#outboundQueue ??= new Outbound(
      this.#conn,
      this.#ctx.maxOutboundBytes,
      () => this.#abort("peer not reading"),
    );
    return this.#outboundQueue;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** The code of the fatal nack that ended the session, or "drained"; undefined when the device closed it. */
  closeReason: string | undefined;

  /** Runs until the connection ends; never throws. */
  async run(): Promise<void> {
    // Small for probes and the many idle devices; a connection that fills it gets a larger one.
    let buffer = new Uint8Array(this.#ctx.readBufferBytes);
    try {
      while (!this.#closing) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;

        this.#bytesIn += n;
        this.#ctx.stats.bytesIn += n;
        const chunk = this.#proxyPending
          ? this.#readProxyHeader(buffer.subarray(0, n))
          : buffer.subarray(0, n);
        if (chunk) await this.#handleChunk(chunk);
        if (n === buffer.length && n < MAX_READ_BUFFER_BYTES) {
          buffer = new Uint8Array(Math.min(n * 8, MAX_READ_BUFFER_BYTES));
        }
      }
    } catch (error) {
      if (!this.#closing && !isExpectedNetworkError(error)) {
        this.logger.warn("connection failed", { error });
      }
    }
    await this.#finish();
  }

  /** Ends the session with a fatal nack, e.g. on timeouts or a revoked token. */
  fail(code: NackCode, reason: string): void {
    if (this.#closing) return;
    countRejected(this.#ctx.stats, code);
    this.closeReason = code;
    this.#send({ type: "nack", code, reason, fatal: true });
    this.#close();
  }

  /** Asks the device to reconnect elsewhere; closes once its readings are stored and acked. */
  drain(retryAfterMs: number): void {
    if (this.#draining || this.#closing) return;
    this.closeReason = "drained";
    this.#draining = true;
    this.#send({ type: "reconnect", reason: "draining", retryAfterMs });
    this.#settle().then(() => this.#close());
  }

  onStored(doc: ReadingDoc): void {
    this.#unstored--;
    this.#storedSeqs.push(doc.seq);
    if (this.#storedSeqs.length === 1) queueMicrotask(() => this.#sendAcks());
    if (this.#unstored === 0) this.#settled?.();
  }

  /** The database refused this reading for good: nack it, so it is neither stored nor resent. */
  onRefused(doc: ReadingDoc, error: unknown): void {
    this.#unstored--;
    countRejected(this.#ctx.stats, "invalid_reading");
    this.logger.warn("database refused a reading", { seq: doc.seq, error });
    const detail = error instanceof Error ? error.message.slice(0, 200) : String(error);
    this.#send({
      type: "nack",
      seq: doc.seq,
      code: "invalid_reading",
      reason: `Cannot store reading: the database refused it: ${detail}`,
    });
    if (this.#unstored === 0) this.#settled?.();
  }

  /**
   * Looks for a PROXY header at the start, on every node: consumes it where --proxy-protocol
   * expects one, and refuses the connection, loudly, where the setting and the bytes disagree.
   * Returns the bytes after the header (or all of them, without one) once that is clear.
   */
  #readProxyHeader(chunk: Uint8Array): Uint8Array | undefined {
    const bytes = new Uint8Array(this.#proxyPending!.length + chunk.length);
    bytes.set(this.#proxyPending!);
    bytes.set(chunk, this.#proxyPending!.length);
    const start = readConnectionStart(bytes, this.#ctx.proxyProtocol);
    if (start.status === "incomplete") {
      this.#proxyPending = bytes;
      return undefined;
    }
    this.#proxyPending = undefined;
    if (start.status === "mismatch") return this.#proxyMismatch(start.outcome);
    if (start.status === "bad_header") {
      this.logger.warn("closing connection", { reason: start.error.message });
      this.#abort("no valid PROXY header");
      return undefined;
    }
    if (start.client) this.#client = start.client;
    this.#noteProxy("ok");
    return start.rest;
  }

  #noteProxy(outcome: ProxyOutcome): { log: boolean; unlogged: number } {
    return this.#ctx.proxyMonitor.note(outcome, this.remote, this.#ctx.now());
  }

  #proxyMismatch(outcome: "missing" | "unexpected"): undefined {
    const reason = this.#ctx.proxyMonitor.reason(outcome);
    const { log, unlogged } = this.#noteProxy(outcome);
    if (log) {
      this.logger.error("PROXY protocol mismatch", {
        setting: "--proxy-protocol",
        proxyProtocol: this.#ctx.proxyProtocol,
        reason,
        notLoggedSinceLast: unlogged,
      });
    }
    this.fail("invalid_frame", reason);
    return undefined;
  }

  async #handleChunk(chunk: Uint8Array): Promise<void> {
    let lines: Uint8Array[];
    try {
      this.#splitter ??= new LineSplitter(this.#ctx.limits.maxLineBytes);
      lines = this.#splitter.push(chunk);
    } catch (error) {
      return this.#refuse(error);
    }
    // Idle means no whole frame: a byte now and then does not keep a connection alive.
    if (lines.length > 0) this.lastActivity = this.#ctx.now();
    for (const line of lines) {
      if (this.#closing) return;
      try {
        const frame = parseDeviceFrame(line, this.#ctx.now(), this.#ctx.limits.maxMetrics);
        if (frame.type === "reading") {
          // A full write queue or an empty token bucket pauses this connection mid-chunk: TCP
          // backpressure, not a nack, so a backlog arrives at the rate with no frame wasted.
          if (this.device) {
            const allowed = this.#bucket!.take(this.#ctx.now());
            if (!allowed.ok) await this.#waitForToken(allowed.retryAfterMs);
          }
          if (!this.#ctx.batcher.hasRoom) await this.#ctx.batcher.whenRoom();
          if (this.#closing) return;
          this.#accept(frame);
        } else if (frame.type === "hello") await this.#hello(frame.device, frame.token, frame.v);
        else if (!this.device) throw new ProtocolError("hello_required", "Send hello first");
        else this.#send({ type: "pong", id: frame.id });
      } catch (error) {
        this.#refuse(error);
      }
    }
  }

  async #hello(device: string, token: string, version: number): Promise<void> {
    if (this.device) throw new ProtocolError("invalid_frame", "Cannot accept hello: already sent");
    if (version !== PROTOCOL_VERSION) {
      throw new ProtocolError(
        "unsupported_version",
        `This server speaks version ${PROTOCOL_VERSION}`,
      );
    }
    const result = await this.#ctx.auth.authenticate(device, token);
    if (!result.ok) {
      this.#ctx.stats.authFailures++;
      this.#logger = this.#ctx.logger.child({ remote: this.remote, device });
      this.logger.info("device refused", { code: result.code });
      return this.fail(result.code, result.reason);
    }
    this.device = device;
    this.tokenHash = result.tokenHash;
    const { ratePerSecond, rateBurst } = this.#ctx.limits;
    this.#bucket = new TokenBucket(ratePerSecond, rateBurst, this.#ctx.now());
    this.#ctx.stats.authenticated++;
    this.#ctx.onAuthenticated(this);
    this.#send(welcomeFrame(this.#ctx.node, this.#ctx.limits));
  }

  #accept(frame: ReadingFrame): void {
    if (!this.device || !this.#bucket) {
      throw new ProtocolError("hello_required", "Send hello first");
    }
    if (this.#draining) {
      throw new ReadingError("server_busy", "Node is shutting down: resend elsewhere", frame.seq);
    }
    const now = this.#ctx.now();
    this.#unstored++;
    this.#ctx.stats.readingsAccepted++;
    this.#ctx.batcher.add({
      owner: this,
      doc: {
        device: this.device,
        seq: frame.seq,
        ts: new Date(frame.ts),
        metrics: frame.metrics,
        receivedAt: new Date(now),
        node: this.#ctx.node,
      },
    });
  }

  /**
   * Stops reading this connection until its token bucket has a token for one more reading, and
   * takes it. Each wait lasts until the bucket holds one again, so the loop passes once unless
   * the clock stands still; it ends when the connection does.
   */
  async #waitForToken(retryAfterMs: number): Promise<void> {
    while (!this.#closing) {
      this.#ctx.stats.ratePauses++;
      this.#ctx.stats.ratePausedMs += retryAfterMs;
      await delay(retryAfterMs);
      this.lastActivity = this.#ctx.now();
      const allowed = this.#bucket!.take(this.#ctx.now());
      if (allowed.ok) return;
      retryAfterMs = allowed.retryAfterMs;
    }
  }

  #refuse(error: unknown): void {
    // Before hello, any JSON object but a hello is answered the same way, whatever its type.
    if (
      !this.device && (error instanceof ReadingError || error instanceof UnknownFrameTypeError)
    ) {
      return this.fail("hello_required", "Send hello first");
    }
    if (error instanceof ReadingError) {
      countRejected(this.#ctx.stats, error.code as NackCode);
      const nack: NackFrame = { type: "nack", code: error.code as NackCode, reason: error.message };
      if (error.seq !== undefined) nack.seq = error.seq;
      if (error.code === "server_busy") nack.retryAfterMs = BUSY_RETRY_MS;
      return this.#send(nack);
    }
    if (error instanceof ProtocolError) {
      this.logger.info("protocol error", { code: error.code, reason: error.message });
      return this.fail(error.code as NackCode, error.message);
    }
    this.logger.error("cannot handle frame", { error });
    this.fail("server_busy", "Internal error");
  }

  #sendAcks(): void {
    const seqs = this.#storedSeqs;
    this.#storedSeqs = [];
    this.#ctx.stats.readingsStored += seqs.length;
    for (const range of ackRanges(seqs)) this.#send(ackFrame(range));
  }

  #send(frame: Parameters<typeof encodeFrame>[0]): void {
    this.#outbound.send(encodeFrame(frame));
  }

  /** Resolves once every reading this connection sent is stored, or after the settle timeout. */
  #settle(): Promise<void> {
    if (this.#unstored === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.#ctx.settleTimeoutMs);
      this.#settled = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#outbound.idle().finally(() => closeQuietly(this.#conn));
  }

  #abort(reason: string): void {
    this.logger.warn("closing connection", { reason });
    this.#closing = true;
    closeQuietly(this.#conn);
  }

  async #finish(): Promise<void> {
    if (this.#bytesIn === 0) this.#ctx.stats.probes++;
    if (this.#bytesIn === 0 && !this.#outboundQueue) {
      this.#closing = true;
      return closeQuietly(this.#conn);
    }
    // The device may have half-closed after its last reading: ack what is stored, then close.
    await this.#settle();
    await new Promise((resolve) => queueMicrotask(() => resolve(undefined)));
    await this.#outboundQueue?.idle();
    this.#closing = true;
    closeQuietly(this.#conn);
  }
}
