/**
 * The backends as the data plane's worker holds them: each a `Target` whose counts are written
 * into SharedCounters (its slot) and whose `available` flag is read from there, as the control
 * plane sets it. A backend the control plane removes is kept until its last connection ends, then
 * let go: its slot goes back to the control plane (`released`), and nothing it does afterwards
 * (a connect still under way) is counted in a slot that may be another backend's by then.
 */
import type { Logger } from "@fleetmon/shared/log";
import type { HostPort } from "@fleetmon/shared/net";
import type { ProxyProtocolVersion } from "@fleetmon/shared/proxy_protocol";
import type { OpenConnection } from "./backend.ts";
import type { Target } from "./connect_policy.ts";
import type { TargetSpec } from "./data_plane_messages.ts";
import type { SharedCounters, SlotCountName } from "./shared_counters.ts";

/** A set of connections that reports its size as it changes. */
class Connections extends Set<OpenConnection> {
  constructor(readonly onSize: (size: number) => void) {
    super();
  }

  override add(connection: OpenConnection): this {
    super.add(connection);
    this.onSize?.(this.size); // undefined while Set's constructor runs
    return this;
  }

  override delete(connection: OpenConnection): boolean {
    const deleted = super.delete(connection);
    if (deleted) this.onSize(this.size);
    return deleted;
  }
}

export class WorkerTarget implements Target {
  readonly id: string;
  readonly slot: number;
  readonly address: HostPort;
  readonly proxyProtocol: ProxyProtocolVersion | undefined;
  readonly logger: Logger;
  readonly connections: Set<OpenConnection>;
  released = false;
  readonly #counters: SharedCounters;
  readonly #onFailedConnect: (slot: number) => void;

  constructor(
    spec: TargetSpec,
    counters: SharedCounters,
    logger: Logger,
    hooks: {
      onFailedConnect(slot: number): void;
      onSize(target: WorkerTarget, size: number): void;
    },
  ) {
    this.id = spec.id;
    this.slot = spec.slot;
    this.address = spec.address;
    this.proxyProtocol = spec.proxyProtocol;
    this.logger = logger;
    this.#counters = counters;
    this.#onFailedConnect = hooks.onFailedConnect;
    this.connections = new Connections((size) => {
      this.#set("active", size);
      hooks.onSize(this, size);
    });
  }

  get available(): boolean {
    return !this.released && this.#counters.available(this.slot);
  }

  get total(): number {
    return this.#get("total");
  }
  set total(value: number) {
    this.#set("total", value);
  }
  get failedConnects(): number {
    return this.#get("failedConnects");
  }
  set failedConnects(value: number) {
    this.#set("failedConnects", value);
  }
  get txBytes(): number {
    return this.#get("txBytes");
  }
  set txBytes(value: number) {
    this.#set("txBytes", value);
  }
  get rxBytes(): number {
    return this.#get("rxBytes");
  }
  set rxBytes(value: number) {
    this.#set("rxBytes", value);
  }

  recordFailedConnect(): void {
    if (!this.released) this.#onFailedConnect(this.slot);
  }

  #get(name: SlotCountName): number {
    return this.released ? 0 : this.#counters.count(this.slot, name);
  }

  #set(name: SlotCountName, value: number): void {
    if (!this.released) this.#counters.setCount(this.slot, name, value);
  }
}

/** The current backends in round-robin order, and every one that still holds connections. */
export class WorkerTargets {
  list: readonly WorkerTarget[] = [];
  /** Targets with open connections, current or removed. */
  readonly #holding = new Set<WorkerTarget>();
  readonly #removed = new Set<WorkerTarget>();
  readonly #counters: SharedCounters;
  readonly #logger: Logger;
  readonly #onFailedConnect: (slot: number) => void;
  readonly #onReleased: (slot: number) => void;

  constructor(options: {
    counters: SharedCounters;
    logger: Logger;
    onFailedConnect(slot: number): void;
    onReleased(slot: number): void;
  }) {
    this.#counters = options.counters;
    this.#logger = options.logger;
    this.#onFailedConnect = options.onFailedConnect;
    this.#onReleased = options.onReleased;
  }

  /** Makes `specs` the backends; a slot already known is the same backend, kept as it is. */
  set(specs: readonly TargetSpec[]): void {
    const bySlot = new Map(this.list.map((target) => [target.slot, target]));
    const next = specs.map((spec) => bySlot.get(spec.slot) ?? this.#make(spec));
    const kept = new Set(next);
    for (const target of this.list) {
      if (kept.has(target)) continue;
      this.#removed.add(target);
      if (target.connections.size === 0) this.#release(target);
    }
    this.list = next;
  }

  bySlot(slot: number): WorkerTarget | undefined {
    return this.list.find((target) => target.slot === slot);
  }

  /** Every open connection, through current and removed backends alike. */
  *connections(): Iterable<OpenConnection> {
    for (const target of [...this.#holding]) yield* [...target.connections];
  }

  #make(spec: TargetSpec): WorkerTarget {
    return new WorkerTarget(spec, this.#counters, this.#logger.child({ backend: spec.id }), {
      onFailedConnect: this.#onFailedConnect,
      onSize: (target, size) => {
        if (size > 0) return void this.#holding.add(target);
        this.#holding.delete(target);
        if (this.#removed.has(target)) this.#release(target);
      },
    });
  }

  #release(target: WorkerTarget): void {
    this.#removed.delete(target);
    target.released = true;
    this.#onReleased(target.slot);
  }
}
