/**
 * The comm node: accepts device connections, runs a session for each, batches their readings
 * into the store, ends sessions whose device was disabled or re-keyed, and drains on close.
 */
import type { ReadingDoc } from "@fleetmon/shared/db";
import type { Logger } from "@fleetmon/shared/log";
import type { HostPort } from "@fleetmon/shared/net";
import { DEFAULT_LIMITS, type ProtocolLimits } from "@fleetmon/shared/protocol";
import { Batcher } from "./batcher.ts";
import type { DeviceAuthority } from "./device_auth.ts";
import { LastReadings } from "./last_readings.ts";
import { isExpectedNetworkError } from "@fleetmon/shared/socket";
import { ProxyMismatchMonitor } from "./proxy_mismatch.ts";
import { DeviceSession } from "./session.ts";
import { type CommStats, createStats } from "./stats.ts";
import { type CommStore, isPermanentWriteError } from "./store.ts";

export interface CommServerOptions {
  listen: HostPort;
  node: string;
  logger: Logger;
  auth: DeviceAuthority;
  store: CommStore;
  limits?: Partial<ProtocolLimits>;
  maxBatch?: number;
  flushIntervalMs?: number;
  /** Readings waiting for the database before connections stop reading. */
  highWater?: number;
  /** Per-connection token bucket; the same as limits.ratePerSecond and limits.rateBurst. */
  rate?: { perSecond: number; burst: number };
  /** How often to look for disabled or re-keyed devices. */
  authPollMs?: number;
  lastReadingsFlushMs?: number;
  /** How often to recompute the rollups of minutes this node wrote (docs/data.md). */
  rollupIntervalMs?: number;
  readBufferBytes?: number;
  /** Expect a PROXY protocol header from lb(comm) on every connection. */
  proxyProtocol?: boolean;
  now?: () => number;
}

export interface CommServer {
  addr: HostPort;
  stats: CommStats;
  batcher: Batcher<ReadingDoc>;
  /** Calls `listener` with each stored batch's size and write time (ms), e.g. for histograms. */
  onBatchWritten(listener: (size: number, ms: number) => void): void;
  /**
   * Why lb(comm) should take this node out although it runs, or undefined: most recent
   * connections began against its --proxy-protocol setting.
   */
  misconfiguration(): string | undefined;
  /** Sends "reconnect" to every device, stores what is in flight, and stops. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

export function createCommServer(options: CommServerOptions): CommServer {
  const { logger, store } = options;
  const now = options.now ?? (() => Date.now());
  const limits: ProtocolLimits = { ...DEFAULT_LIMITS, ...options.limits };
  if (options.rate) {
    limits.ratePerSecond = options.rate.perSecond;
    limits.rateBurst = options.rate.burst;
  }
  const stats = createStats();
  const lastReadings = new LastReadings();
  const batchListeners = new Set<(size: number, ms: number) => void>();
  const sessions = new Set<DeviceSession>();
  const byDevice = new Map<string, Set<DeviceSession>>();
  const highWater = options.highWater ?? 20_000;
  const batcher = new Batcher<ReadingDoc>({
    maxBatch: options.maxBatch ?? 1_000,
    flushIntervalMs: options.flushIntervalMs ?? 50,
    highWater,
    write: async (docs) => {
      await store.writeReadings(docs);
      for (const doc of docs) lastReadings.note(doc);
    },
    onBatchWritten: (size, ms) => {
      stats.batches++;
      stats.batchedReadings += size;
      stats.lastWriteMs = ms;
      for (const listener of batchListeners) listener(size, ms);
    },
    isPermanent: isPermanentWriteError,
    onWriteError: (error, attempt) => {
      stats.dbWriteErrors++;
      if (attempt === 1 || attempt % 10 === 0) {
        logger.warn("cannot store readings; retrying", {
          error,
          attempt,
          pending: batcher.pending,
        });
      }
    },
  });

  const proxyMonitor = new ProxyMismatchMonitor({ expected: options.proxyProtocol ?? false });
  const listener = Deno.listen({ ...options.listen, transport: "tcp" });
  const addr = { hostname: options.listen.hostname, port: (listener.addr as Deno.NetAddr).port };
  let closing = false;

  const context = {
    node: options.node,
    limits,
    logger,
    auth: options.auth,
    batcher,
    stats,
    now,
    readBufferBytes: options.readBufferBytes ?? 1_024,
    maxOutboundBytes: 1 << 20,
    settleTimeoutMs: 10_000,
    proxyProtocol: options.proxyProtocol ?? false,
    proxyMonitor,
    onAuthenticated(session: DeviceSession) {
      lastReadings.noteConnection({
        device: session.device!,
        node: options.node,
        kind: "connect",
        at: new Date(now()),
      });
      const set = byDevice.get(session.device!) ?? new Set();
      set.add(session);
      byDevice.set(session.device!, set);
    },
  };

  const serve = async (conn: Deno.Conn) => {
    stats.connectionsTotal++;
    stats.connectionsActive++;
    const session = new DeviceSession(conn, context);
    sessions.add(session);
    await session.run();
    sessions.delete(session);
    if (session.device) {
      byDevice.get(session.device)?.delete(session);
      lastReadings.noteConnection({
        device: session.device,
        node: options.node,
        kind: "disconnect",
        at: new Date(now()),
        ...(session.closeReason && { reason: session.closeReason }),
      });
    }
    if (byDevice.get(session.device!)?.size === 0) byDevice.delete(session.device!);
    stats.connectionsActive--;
  };

  const acceptLoop = (async () => {
    while (!closing) {
      try {
        const conn = await listener.accept();
        serve(conn);
      } catch (error) {
        if (closing) break;
        if (isExpectedNetworkError(error)) {
          // Reset before it could be accepted (Linux then fails accept with NotConnected): a
          // probe that closed with RST instead of FIN, counted like one.
          stats.connectionsTotal++;
          stats.probes++;
          continue;
        }
        logger.error("cannot accept connection; retrying", { error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  })();

  const sweep = setInterval(() => {
    const t = now();
    for (const session of sessions) {
      if (!session.device && t - session.openedAt > limits.helloTimeoutMs) {
        session.fail("hello_timeout", `No hello within ${limits.helloTimeoutMs} ms`);
      } else if (t - session.lastActivity > limits.idleTimeoutMs) {
        session.fail("idle_timeout", `No frame for ${limits.idleTimeoutMs} ms`);
      }
    }
  }, Math.min(1_000, limits.helloTimeoutMs));

  let authPolling = false;
  const authPoll = setInterval(async () => {
    if (authPolling || byDevice.size === 0) return;
    authPolling = true;
    try {
      for (const [device, tokenHash] of await options.auth.changes()) {
        for (const session of byDevice.get(device) ?? []) {
          if (tokenHash === session.tokenHash) continue;
          logger.info("ending session of revoked device", { device });
          session.fail("token_revoked", "Device disabled or token rotated");
        }
      }
    } catch (error) {
      logger.warn("cannot check for revoked devices", { error });
    } finally {
      authPolling = false;
    }
  }, options.authPollMs ?? 2_000);

  // One flush at a time: a tick that finds one running is skipped, and the next flush takes
  // everything noted meanwhile (a device's newest reading only), so a slow database lags, no more.
  let lastFlushing: Promise<void> | undefined;
  const flushLastReadings = async () => {
    while (lastFlushing) await lastFlushing;
    lastFlushing = (async () => {
      const update = lastReadings.takeUpdate(stats);
      try {
        await store.writeDeviceStatus(update);
      } catch (error) {
        lastReadings.giveBack(update);
        logger.warn("cannot update device status; will retry", {
          error,
          devices: update.last.length,
        });
      }
    })().finally(() => lastFlushing = undefined);
    await lastFlushing;
  };
  const flushTick = () => {
    if (!lastFlushing) flushLastReadings();
  };
  const lastTimer = setInterval(flushTick, options.lastReadingsFlushMs ?? 1_000);

  // Rollups of the minutes this node wrote, once they are quiet; one pass at a time.
  let rollingUp: Promise<void> | undefined;
  const rollUp = (all: boolean) =>
    rollingUp ??= store.rollUp(all).then(() => {}, (error) => {
      logger.warn("cannot update rollups; will retry", { error });
    }).finally(() => rollingUp = undefined);
  const rollupTimer = setInterval(() => rollUp(false), options.rollupIntervalMs ?? 1_000);

  return {
    addr,
    stats,
    batcher,
    onBatchWritten: (listener) => void batchListeners.add(listener),
    misconfiguration: () => proxyMonitor.problem(now()),
    async close({ timeoutMs = 10_000 } = {}) {
      if (closing) return;
      closing = true;
      const started = performance.now();
      const took: Record<string, number> = {};
      const lap = (stage: string) => took[stage] = Math.round(performance.now() - started);
      listener.close();
      await acceptLoop;
      clearInterval(sweep);
      clearInterval(authPoll);
      clearInterval(lastTimer);
      clearInterval(rollupTimer);
      for (const session of sessions) session.drain(500);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise((resolve) => timer = setTimeout(resolve, timeoutMs, "timeout"));
      const flushed = Promise.race([batcher.flush(), deadline]);
      if (await flushed === "timeout") logger.warn("closing with readings unstored");
      await batcher.close({ flush: false });
      lap("storedMs");
      // Devices' last readings and this node's rollups, as far as the same deadline allows (a
      // slow database, or a retention sweep beside it, must not hold the node past it).
      const tidied = Promise.race([
        flushLastReadings().then(() => rollingUp).then(() => rollUp(true)),
        deadline,
      ]);
      if (await tidied === "timeout") {
        logger.warn("closing before device status and rollups were written");
      }
      lap("statusAndRollupsMs");
      await Promise.race([waitUntilEmpty(sessions), deadline]);
      lap("sessionsMs");
      clearTimeout(timer);
      for (const session of sessions) session.fail("server_busy", "Node is shutting down");
      await waitUntilEmpty(sessions);
      // When each step of the drain ended, in ms since it began.
      logger.info("stopped", { stats, drain: took });
    },
  };
}

async function waitUntilEmpty(sessions: Set<unknown>): Promise<void> {
  while (sessions.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
}
