/**
 * The rehearsal's simulated devices: one client of the device library each (its bounded buffer,
 * resends, backoff), connected through lb(comm), sending at a fixed rate, with every acked seq
 * remembered for the audit. Devices are configured as a deployment would set them: an ack timeout
 * of 10 s, so a device whose comm node went silent gives up on it in seconds, not a minute.
 */
import { createDeviceClient, type DeviceClient } from "@fleetmon/devices/lib";
import { SeqSet, type SimDevice } from "@fleetmon/devices/sim";
import type { Logger } from "@fleetmon/shared/log";

export const DEVICE_ACK_TIMEOUT_MS = 10_000;

export interface DeviceFleetOptions {
  hostname: string;
  port: number;
  devices: SimDevice[];
  /** Readings per second per device. */
  rate: number;
  logger: Logger;
}

export class DeviceFleet {
  readonly acked = new Map<string, SeqSet>();
  /** What was acked since the last takeNewlyAcked(), by device: what the next audit checks. */
  #newlyAcked = new Map<string, SeqSet>();
  readonly clients: DeviceClient[] = [];
  #ackedTotal = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #tick = 0;
  readonly #o: DeviceFleetOptions;

  constructor(options: DeviceFleetOptions) {
    this.#o = options;
    for (const device of options.devices) this.clients.push(this.#client(device));
  }

  get ackedTotal(): number {
    return this.#ackedTotal;
  }

  /** Every client's newest acked seq, by device, to tell later which have acked since. */
  ackedMax(): Map<string, number> {
    return new Map([...this.acked].map(([device, set]) => [device, set.max ?? 0]));
  }

  /** How many devices acked a reading newer than they had at `mark`. */
  ackedSince(mark: Map<string, number>): number {
    let count = 0;
    for (const [device, set] of this.acked) if ((set.max ?? 0) > (mark.get(device) ?? 0)) count++;
    return count;
  }

  /** The seqs acked since the last call, by device; the next call starts afresh. */
  takeNewlyAcked(): Map<string, SeqSet> {
    const taken = this.#newlyAcked;
    this.#newlyAcked = new Map();
    return taken;
  }

  /** Devices by the comm node of their current connection. */
  nodes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.clients) {
      const key = c.state === "ready" ? c.node ?? "?" : c.state;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  ready(): number {
    return this.clients.filter((c) => c.state === "ready").length;
  }

  /** Sends every 100 ms, spreading each device's `rate` readings a second over the ticks. */
  startSending(): void {
    if (this.#timer) return;
    const perTick = this.#o.rate / 10;
    this.#timer = setInterval(() => {
      this.#tick++;
      for (const [i, client] of this.clients.entries()) {
        // Device i sends in the ticks where its share of readings crosses a whole number.
        const due = Math.floor((this.#tick + i / this.clients.length) * perTick) -
          Math.floor((this.#tick - 1 + i / this.clients.length) * perTick);
        for (let k = 0; k < due; k++) {
          if (client.state !== "failed" && client.state !== "closed") {
            client.send({ t: this.#tick, load: (this.#tick % 100) / 100 });
          }
        }
      }
    }, 100);
  }

  stopSending(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** True once every buffered reading is acked. */
  async drain(timeoutMs: number): Promise<boolean> {
    return (await Promise.all(this.clients.map((c) => c.drain(timeoutMs)))).every(Boolean);
  }

  /** Unacked readings still held by the clients, and those they dropped, by reason. */
  pending(): { buffered: number; dropped: Record<string, number> } {
    const dropped: Record<string, number> = {};
    let buffered = 0;
    for (const c of this.clients) {
      buffered += c.stats.buffered;
      for (const [k, v] of Object.entries(c.stats.dropped)) dropped[k] = (dropped[k] ?? 0) + v;
    }
    return { buffered, dropped };
  }

  /**
   * Restarts every device (after a drain, so nothing unacked is held): new connections, spread
   * again by lb(comm)'s round robin, the same acked sets.
   */
  async restart(): Promise<void> {
    const old = this.clients.splice(0);
    await Promise.all(old.map((c) => c.close()));
    for (const device of this.#o.devices) this.clients.push(this.#client(device));
  }

  async close(): Promise<void> {
    this.stopSending();
    await Promise.all(this.clients.map((c) => c.close()));
  }

  #client(device: SimDevice): DeviceClient {
    const set = this.acked.get(device.id) ?? new SeqSet();
    this.acked.set(device.id, set);
    return createDeviceClient({
      target: { hostname: this.#o.hostname, port: this.#o.port },
      device: device.id,
      token: device.token,
      agent: "fleetmon-rehearse/0.1",
      logger: this.#o.logger,
      bufferLimit: 100_000,
      backoff: { initialMs: 200, maxMs: 2_000, jitter: "full" },
      ackTimeoutMs: DEVICE_ACK_TIMEOUT_MS,
      pingIntervalMs: 3_000,
      events: {
        onAcked: (seqs) => {
          let newly = this.#newlyAcked.get(device.id);
          if (!newly) this.#newlyAcked.set(device.id, newly = new SeqSet());
          for (const seq of seqs) {
            set.add(seq);
            newly.add(seq);
          }
          this.#ackedTotal += seqs.length;
        },
      },
    });
  }
}
