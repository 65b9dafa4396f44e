/**
 * The layout before issue 10 kept one document per reading in `readings` (`_id`
 * `${device}:${seq}`). Services refuse to start on a database that still holds it
 * (`assertCurrentLayout`); `deno task db:migrate` moves it (`migrateOldLayout`).
 */
import type { Db } from "mongodb";
import { OLD_COLLECTION } from "./collections.ts";
import type { Readings } from "./readings.ts";

interface OldReadingDoc {
  _id: string;
  device: string;
  seq: number;
  ts: Date;
  metrics: Record<string, number>;
}

export class OldLayoutError extends Error {
  override name = "OldLayoutError";
}

/** Throws OldLayoutError, saying what to run, when the old `readings` collection holds any. */
export async function assertCurrentLayout(db: Db): Promise<void> {
  const old = await db.collection(OLD_COLLECTION).findOne({}, { projection: { _id: 1 } });
  if (!old) return;
  throw new OldLayoutError(
    `Cannot start: database "${db.databaseName}" keeps readings in the old layout (collection ` +
      `"${OLD_COLLECTION}", one document per reading). Stop every comm and web node, run ` +
      "`deno task db:migrate` (MONGODB_URI names the database) to move them into the new " +
      "layout, then start again (docs/data.md)",
  );
}

export interface MigrateResult {
  /** Old documents copied into chunks. */
  read: number;
  ms: number;
}

/**
 * Copies every old reading into chunks, a page at a time, then drops the old collection. Safe to
 * run again after an interruption: chunks already written are duplicate keys, and reads drop a
 * reading copied twice.
 */
export async function migrateOldLayout(
  db: Db,
  readings: Readings,
  onProgress?: (read: number) => void,
  pageSize = 5_000,
): Promise<MigrateResult> {
  const started = performance.now();
  const old = db.collection<OldReadingDoc>(OLD_COLLECTION);
  let read = 0;
  let page: OldReadingDoc[] = [];
  const flush = async () => {
    await readings.write(page.map((d) => ({
      device: d.device,
      seq: d.seq,
      ts: d.ts.getTime(),
      metrics: d.metrics,
    })));
    page = [];
    onProgress?.(read);
  };
  for await (const doc of old.find({}, { batchSize: pageSize })) {
    page.push(doc);
    read++;
    if (page.length >= pageSize) await flush();
  }
  if (page.length > 0) await flush();
  await readings.rollUp({ all: true });
  await old.drop().catch(() => {}); // already gone
  return { read, ms: Math.round(performance.now() - started) };
}
