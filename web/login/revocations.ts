/**
 * The cluster's revocation count (auth_cache.ts): one document in `counters`, read by `_id` (an
 * index hit even on FerretDB). Every change that ends or narrows a session or an API token adds 1
 * after the change is written; every web node reads it every 250 ms and drops its cached sessions
 * and tokens when it moved.
 */
import type { Db } from "mongodb";

const ID = "auth_revocations";
const counters = (db: Db) => db.collection<{ _id: string; n: number }>("counters");

/** Call after the revocation itself is written. */
export async function announceRevocation(db: Db): Promise<void> {
  try {
    await counters(db).updateOne({ _id: ID }, { $inc: { n: 1 } }, { upsert: true });
  } catch (error) {
    // Two first upserts at once: one inserted the document; the other retries as an update.
    if ((error as { code?: number }).code !== 11000) throw error;
    await counters(db).updateOne({ _id: ID }, { $inc: { n: 1 } });
  }
}

export async function readRevocations(db: Db): Promise<number> {
  return (await counters(db).findOne({ _id: ID }))?.n ?? 0;
}
