/**
 * A lease in the database: at most one holder at a time across the cluster, and a new holder
 * soon after the old one dies. Used so that one web node evaluates alert rules (web/alerts/).
 *
 * Built from insert-only "terms" looked up by exact `_id`, because FerretDB 1.24 has no
 * transactions, may not make a conditional findAndModify atomic, and scans any filter but
 * `{_id}`. Term n of lease L is the document `L:n`; inserting it is the only way to hold term n,
 * and a duplicate `_id` makes exactly one inserter win, on MongoDB (sharded too) and FerretDB.
 * The holder renews by inserting term n+1 before term n ends; anyone may insert term n+1 once
 * term n has ended (by the wall clock of the one who wrote it). A small pointer document `L`
 * records the highest term known (`$max`), so a node starting late skips ahead to it.
 *
 * Safety against clock skew: the holder stops believing it holds the lease `safetyMarginMs`
 * before the expiry it wrote, measured on its own monotonic clock from before its insert. As long
 * as wall clocks differ by less than that margin, two nodes never both believe they hold it. The
 * term number is a fencing token: callers can key their own writes by it.
 */
import type { Collection, Db } from "mongodb";

export interface LeaseTermDoc {
  /** `${name}:${term}`, or `${name}` for the pointer to the highest term. */
  _id: string;
  name: string;
  term: number;
  holder?: string;
  /** When this holder's unbroken run of terms began. */
  since?: Date;
  acquiredAt?: Date;
  expiresAt?: Date;
}

export interface LeaseOptions {
  /** The lease's name, e.g. "alerts". */
  name: string;
  /** Who asks, e.g. the node id. */
  holder: string;
  /** How long one term lasts; the holder should call `renew()` about every ttlMs / 3. */
  ttlMs: number;
  /** Wall clock in epoch ms (written into terms); default Date.now. */
  now?: () => number;
  /** Monotonic clock in ms (the holder's own belief); default performance.now. */
  monotonic?: () => number;
  /** Default min(1000, ttlMs / 5). */
  safetyMarginMs?: number;
  /** Old terms kept for inspection; older ones are deleted by `_id`. Default 20. */
  keepTerms?: number;
}

export interface LeaseStatus {
  held: boolean;
  term: number;
  /** The current term's holder, as last seen; undefined when no term was ever taken. */
  holder?: string;
  expiresAt?: Date;
}

export interface Lease {
  /** Takes the lease if free, renews it if held; returns what is now known. */
  renew(): Promise<LeaseStatus>;
  /** Whether this holder may act now (its own clock, with the safety margin). */
  held(): boolean;
  /** The term this holder holds, or undefined: a fencing token. */
  heldTerm(): number | undefined;
  /** Ends a held term at once so another node can take over without waiting for the TTL. */
  release(): Promise<void>;
}

/** At most this many terms are probed forward from the pointer in one call. */
const MAX_PROBES = 64;

export function leaseCollection(db: Db): Collection<LeaseTermDoc> {
  return db.collection<LeaseTermDoc>("leases");
}

export function createLease(db: Db, options: LeaseOptions): Lease {
  const { name, holder, ttlMs } = options;
  if (!(ttlMs >= 100)) throw new RangeError(`Cannot create lease ${name}: ttlMs ${ttlMs} < 100`);
  const now = options.now ?? Date.now;
  const monotonic = options.monotonic ?? (() => performance.now());
  const margin = options.safetyMarginMs ?? Math.min(1000, ttlMs / 5);
  if (!(margin >= 0 && margin < ttlMs)) {
    throw new RangeError(`Cannot create lease ${name}: safetyMarginMs ${margin} not in [0, ttl)`);
  }
  const keep = options.keepTerms ?? 20;
  const terms = leaseCollection(db);
  let latest: LeaseTermDoc | undefined;
  let known = 0;
  let mine: { term: number; validUntil: number; since: Date } | undefined;

  /** Finds the highest existing term: from the pointer, then probing forward by `_id`. */
  async function readLatest(): Promise<void> {
    if (known === 0) {
      const pointer = await terms.findOne({ _id: name });
      known = pointer?.term ?? 0;
    }
    if (known > 0 && latest?.term !== known) {
      latest = (await terms.findOne({ _id: `${name}:${known}` })) ?? latest;
    }
    for (let i = 0; i < MAX_PROBES; i++) {
      const next = await terms.findOne({ _id: `${name}:${known + 1}` });
      if (!next) return;
      latest = next;
      known = next.term;
    }
  }

  /** Inserts term `term`; false when someone else inserted it first. */
  async function insertTerm(term: number, expiresAt: Date, since: Date): Promise<boolean> {
    const doc: LeaseTermDoc = {
      _id: `${name}:${term}`,
      name,
      term,
      holder,
      since,
      acquiredAt: new Date(now()),
      expiresAt,
    };
    try {
      await terms.insertOne(doc);
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
    latest = doc;
    known = term;
    await terms.updateOne({ _id: name }, { $max: { term }, $set: { name } }, { upsert: true });
    if (term > keep) await terms.deleteOne({ _id: `${name}:${term - keep}` });
    return true;
  }

  function status(): LeaseStatus {
    return {
      held: mine !== undefined && monotonic() < mine.validUntil,
      term: known,
      holder: latest?.holder,
      expiresAt: latest?.expiresAt,
    };
  }

  return {
    async renew() {
      await readLatest();
      const current = latest;
      const ours = current?.holder === holder && mine?.term === current.term;
      const ended = !current || !current.expiresAt || current.expiresAt.getTime() <= now();
      if (!ours && !ended) {
        mine = undefined;
        return status();
      }
      const started = monotonic();
      const since = ours && mine ? mine.since : new Date(now());
      const next = known + 1;
      if (await insertTerm(next, new Date(now() + ttlMs), since)) {
        mine = { term: next, validUntil: started + ttlMs - margin, since };
      } else {
        mine = undefined;
        await readLatest();
      }
      return status();
    },
    held: () => mine !== undefined && monotonic() < mine.validUntil,
    heldTerm: () => (mine !== undefined && monotonic() < mine.validUntil ? mine.term : undefined),
    async release() {
      if (!mine) return;
      const since = mine.since;
      mine = undefined;
      // An already-ended term: the next renew() anywhere takes over at once.
      await insertTerm(known + 1, new Date(now()), since).catch(() => false);
      if (latest?.holder === holder) latest = { ...latest, holder: undefined };
    },
  };
}
