/** Aids for this folder's tests. */
import type { Db } from "mongodb";
import { rollups } from "./collections.ts";

/** How many cpu values the rollup tier counted for `device`, over all its cells. */
export async function countedIn(db: Db, tier: "1m" | "1h", device: string): Promise<number> {
  let count = 0;
  for (const doc of await rollups(db, tier).find({ d: device }).toArray()) {
    for (const cells of Object.values(doc.c)) count += cells.cpu?.count ?? 0;
  }
  return count;
}
