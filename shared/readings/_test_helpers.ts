/** Aids for this folder's tests. */
import { type Db, MongoClient } from "mongodb";
import { databaseName } from "../db/client.ts";
import { rollups } from "./collections.ts";
import { cellsOf } from "./rollups.ts";

/** How many cpu values the rollup tier counted for `device`, over all its cells. */
export async function countedIn(db: Db, tier: "1m" | "1h", device: string): Promise<number> {
  let count = 0;
  for (const doc of await rollups(db, tier).find({ d: device }).toArray()) {
    for (const [, cells] of cellsOf(doc, tier)) count += cells.cpu?.count ?? 0;
  }
  return count;
}

/** A command the data layer sent, as `recordCommands` saw it. */
export interface SentCommand {
  name: string;
  collection: string;
  filter?: Record<string, unknown>;
  sort?: Record<string, 1 | -1>;
  limit?: number;
  writeConcern?: Record<string, unknown>;
}

/**
 * A second client on the test database that records the find, insert and delete commands sent
 * through it, so a test sees exactly what the data layer asks the server.
 */
export async function recordCommands(uri: string) {
  const client = new MongoClient(uri, { monitorCommands: true, retryWrites: false });
  await client.connect();
  const sent: SentCommand[] = [];
  client.on("commandStarted", ({ commandName: name, command }) => {
    if (name === "find") {
      const { find, filter, sort, limit } = command;
      sent.push({ name, collection: find, filter, sort, limit });
    } else if (name === "insert") {
      sent.push({ name, collection: command.insert, writeConcern: command.writeConcern });
    } else if (name === "delete") {
      for (const d of command.deletes) {
        sent.push({ name, collection: command.delete, filter: d.q, limit: d.limit || undefined });
      }
    }
  });
  return {
    db: client.db(databaseName(uri)),
    sent,
    [Symbol.asyncDispose]: () => client.close(),
  };
}
