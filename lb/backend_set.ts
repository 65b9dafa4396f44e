/**
 * The balancer's backends in round-robin order, replaceable while it runs (a reload). A backend
 * whose id, address, check address and PROXY setting all stay the same is kept as it is: its
 * health, counters and connections go on. One that is removed (or changed, which is a removal and
 * an addition) is drained: no new connections, its open ones go on, and it stays in the stats until
 * the last of them ends.
 */
import type { Backend, BackendSpec } from "./backend.ts";

/** Ids, by what a replace did to them; a changed backend is a new one in the old one's place. */
export interface BackendChanges {
  added: string[];
  changed: string[];
  removed: string[];
  kept: string[];
}

export class BackendSet {
  #list: Backend[] = [];
  #byId = new Map<string, Backend>();
  readonly #retired = new Set<Backend>();
  readonly #make: (spec: BackendSpec) => Backend;
  readonly #onAdded: (backend: Backend) => void;
  readonly #onRemoved: (backend: Backend) => void;

  /** `make` builds a backend; `onAdded` and `onRemoved` hear of each one that comes and goes. */
  constructor(options: {
    make: (spec: BackendSpec) => Backend;
    onAdded: (backend: Backend) => void;
    onRemoved: (backend: Backend) => void;
  }) {
    this.#make = options.make;
    this.#onAdded = options.onAdded;
    this.#onRemoved = options.onRemoved;
  }

  /** The backends that take new connections, in round-robin order. */
  get list(): readonly Backend[] {
    return this.#list;
  }

  get(id: string): Backend | undefined {
    return this.#byId.get(id);
  }

  /** The current backends, then removed ones that still have open connections. */
  all(): Backend[] {
    for (const backend of this.#retired) {
      if (backend.active === 0) this.#retired.delete(backend);
    }
    return [...this.#list, ...this.#retired];
  }

  /**
   * Forgets a removed backend at once: the data plane has let go of it, and its counters' slot
   * may be another backend's from now on.
   */
  forget(backend: Backend): void {
    this.#retired.delete(backend);
  }

  /** Makes `specs` the backends; nothing changes when it throws. */
  replace(specs: readonly BackendSpec[]): BackendChanges {
    if (specs.length === 0) throw new RangeError("Cannot set backends: no backends");
    const ids = new Set(specs.map((spec) => spec.id));
    if (ids.size !== specs.length) throw new RangeError("Cannot set backends: ids must be unique");
    const changes: BackendChanges = { added: [], changed: [], removed: [], kept: [] };
    const kept = new Set<Backend>();
    const next = specs.map((spec) => {
      const current = this.#byId.get(spec.id);
      if (current && sameSpec(current, spec)) {
        changes.kept.push(spec.id);
        kept.add(current);
        return current;
      }
      (current ? changes.changed : changes.added).push(spec.id);
      return this.#make(spec);
    });
    for (const backend of this.#list) {
      if (kept.has(backend)) continue;
      if (!ids.has(backend.id)) changes.removed.push(backend.id);
      backend.health.drain();
      this.#retired.add(backend);
      this.#onRemoved(backend);
    }
    this.#list = next;
    this.#byId = new Map(next.map((backend) => [backend.id, backend]));
    for (const backend of next) if (!kept.has(backend)) this.#onAdded(backend);
    return changes;
  }
}

function sameSpec(backend: Backend, spec: BackendSpec): boolean {
  const check = spec.check ?? spec.address;
  return backend.address.hostname === spec.address.hostname &&
    backend.address.port === spec.address.port &&
    backend.checkAddress.hostname === check.hostname &&
    backend.checkAddress.port === check.port &&
    backend.proxyProtocol === spec.proxyProtocol;
}
