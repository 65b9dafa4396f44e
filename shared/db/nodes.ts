/** Node heartbeats: each comm and web node says every few seconds that it is alive and how it is. */
import type { Db } from "mongodb";
import { collections, type NodeDoc } from "./collections.ts";

export async function writeHeartbeat(db: Db, node: NodeDoc): Promise<void> {
  const { _id, ...fields } = node;
  await collections(db).nodes.updateOne({ _id }, { $set: fields }, { upsert: true });
}

export function listNodes(db: Db): Promise<NodeDoc[]> {
  return collections(db).nodes.find({}).sort({ kind: 1, _id: 1 }).toArray();
}

/** A node is considered alive when its last heartbeat is younger than this. */
export const NODE_STALE_AFTER_MS = 15_000;
