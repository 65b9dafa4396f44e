/**
 * N simulated devices in one process: each a real device client with its own connection,
 * connected gradually, sending realistic readings at a fixed rate, with every acked seq
 * remembered for the audit.
 */
import { createDeviceClient, type DeviceClient, type DeviceClientStats } from "../lib/mod.ts";
import { delay } from "@fleetmon/shared/delay";
import type { Logger } from "@fleetmon/shared/log";
import type { HostPort } from "@fleetmon/shared/net";
import { seededRandom } from "./prng.ts";
import type { SimDevice } from "./register.ts";
import { SeqSet } from "./seq_set.ts";
import {
  createProfile,
  type DeviceProfile,
  type DeviceState,
  initialState,
  nextMetrics,
} from "./shapes.ts";

export interface FleetOptions {
  target: HostPort;
  devices: SimDevice[];
  /** Readings per second per device. */
  rate: number;
  /** New connections per second while connecting. */
  connectRate: number;
  bufferLimit: number;
  seed: number;
  cycleMs: number;
  /** For the clients: they log reconnects and refusals. */
  logger: Logger;
  now?: () => number;
}

/** Every client's stats summed, and the fleet's own counts. */
export interface FleetSnapshot extends DeviceClientStats {
  devices: number;
  /** Clients created so far. */
  started: number;
  connected: number;
  /** Clients that got a welcome at least once. */
  everConnected: number;
  failed: number;
  /** Readings generated (handed to clients). */
  generated: number;
  sendErrors: number;
}

interface Simulated {
  device: SimDevice;
  client: DeviceClient;
  profile: DeviceProfile;
  state: DeviceState;
  random: () => number;
  nextAt: number;
}

const TICK_MS = 50;

export class Fleet {
  readonly acked = new Map<string, SeqSet>();
  readonly #o: FleetOptions;
  readonly #now: () => number;
  readonly #sims: Simulated[] = [];
  #ticker: ReturnType<typeof setInterval> | undefined;
  #generated = 0;
  #sendErrors = 0;

  constructor(options: FleetOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Starts every client at `connectRate` a second and resolves once all are connected (or
   * refused for good), or at `timeoutMs`, or when `signal` aborts.
   */
  async connectAll(timeoutMs: number, signal?: AbortSignal): Promise<{ ms: number }> {
    const started = this.#now();
    const deadline = started + timeoutMs;
    const perTick = Math.max(1, Math.round((this.#o.connectRate * TICK_MS) / 1000));
    for (const [i, device] of this.#o.devices.entries()) {
      if (signal?.aborted || this.#now() > deadline) break;
      this.#start(device, i);
      if ((i + 1) % perTick === 0) await delay(TICK_MS);
    }
    while (!signal?.aborted && this.#now() < deadline) {
      const { connected, failed, devices } = this.snapshot();
      if (connected + failed >= devices) break;
      await delay(TICK_MS);
    }
    return { ms: this.#now() - started };
  }

  startSending(): void {
    const interval = 1000 / this.#o.rate;
    const now = this.#now();
    // Spread the devices' first readings over one interval, so they do not send in step.
    for (const sim of this.#sims) sim.nextAt = now + sim.random() * interval;
    this.#ticker = setInterval(() => this.#tick(interval), TICK_MS);
  }

  stopSending(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  /** Resolves true once every client's buffer is empty, false at the timeout. */
  async drain(timeoutMs: number): Promise<boolean> {
    const results = await Promise.all(this.#sims.map((sim) => sim.client.drain(timeoutMs)));
    return results.every(Boolean);
  }

  snapshot(): FleetSnapshot {
    const s: FleetSnapshot = {
      devices: this.#o.devices.length,
      started: this.#sims.length,
      connected: 0,
      everConnected: 0,
      failed: 0,
      generated: this.#generated,
      sent: 0,
      resent: 0,
      acked: 0,
      nacked: {},
      dropped: {},
      inFlight: 0,
      buffered: 0,
      connects: 0,
      connectFailures: 0,
      sendErrors: this.#sendErrors,
    };
    for (const { client } of this.#sims) {
      if (client.state === "ready" || client.state === "draining") s.connected++;
      if (client.state === "failed") s.failed++;
      const c = client.stats;
      if (c.connects > 0) s.everConnected++;
      s.sent += c.sent;
      s.resent += c.resent;
      s.acked += c.acked;
      s.inFlight += c.inFlight;
      s.buffered += c.buffered;
      s.connects += c.connects;
      s.connectFailures += c.connectFailures;
      addCounts(s.nacked, c.nacked);
      addCounts(s.dropped, c.dropped);
    }
    return s;
  }

  /**
   * Errors of clients that stopped for good, and why clients that never connected could not, by
   * message, with how many devices each.
   */
  failures(): Record<string, number> {
    const out: Record<string, number> = {};
    const count = (key: string) => out[key] = (out[key] ?? 0) + 1;
    for (const { client } of this.#sims) {
      if (client.error) count(client.error.message.replace(client.device, "<device>"));
      else {
        // Never welcomed: say why, e.g. comm refusing lb(comm)'s PROXY header by name.
        const { connects, lastDisconnect } = client.stats;
        if (connects === 0 && lastDisconnect) count(`never connected: ${lastDisconnect}`);
      }
    }
    return out;
  }

  async close(): Promise<void> {
    this.stopSending();
    await Promise.all(this.#sims.map((sim) => sim.client.close()));
  }

  #start(device: SimDevice, index: number): void {
    const random = seededRandom(this.#o.seed * 1_000_003 + index);
    const acked = new SeqSet();
    this.acked.set(device.id, acked);
    const client = createDeviceClient({
      target: this.#o.target,
      device: device.id,
      token: device.token,
      agent: "fleetmon-sim/0.1",
      logger: this.#o.logger,
      bufferLimit: this.#o.bufferLimit,
      backoff: { initialMs: 500, maxMs: 15_000, jitter: "full" },
      random,
      now: this.#now,
      events: {
        onAcked: (seqs) => {
          for (const seq of seqs) acked.add(seq);
        },
      },
    });
    const now = this.#now();
    this.#sims.push({
      device,
      client,
      profile: createProfile(random),
      state: initialState(random, now),
      random,
      nextAt: Infinity,
    });
  }

  #tick(interval: number): void {
    const now = this.#now();
    for (const sim of this.#sims) {
      // Catch up at most one second; a process that stalled longer skips those readings.
      if (sim.nextAt < now - 1000) sim.nextAt = now - 1000;
      while (sim.nextAt <= now) {
        sim.nextAt += interval;
        if (sim.client.state === "failed") continue;
        try {
          sim.client.send(
            nextMetrics(sim.profile, sim.state, now, sim.random, this.#o.cycleMs),
            now,
          );
          this.#generated++;
        } catch {
          this.#sendErrors++;
        }
      }
    }
  }
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
}
