/**
 * Readings at fleet scale (docs/data.md): raw readings as insert-only chunk documents whose `_id`
 * orders by device then time, 1-minute and 1-hour rollups kept exactly once, retention per tier,
 * and reads that are all `_id` ranges of one device.
 */
export { bucketId, chunkId, deviceRange, idRange } from "./_keys.ts";
export { rollupDocs } from "./bulk.ts";
export {
  buildChunks,
  type ChunkDoc,
  chunkSeqs,
  MAX_CHUNK_READINGS,
  MAX_CHUNK_SPAN_MS,
  type Reading,
  type StoredReading,
  unpackChunk,
} from "./chunks.ts";
export {
  detectEngine,
  deviceFilter,
  type Engine,
  OLD_COLLECTION,
  RAW_COLLECTION,
  rawChunks,
  ROLLUP_COLLECTIONS,
  rollups,
} from "./collections.ts";
export {
  assertCurrentLayout,
  migrateOldLayout,
  type MigrateResult,
  OldLayoutError,
} from "./migrate.ts";
export { pageById, type Pager } from "./reader.ts";
export { openReadings, Readings, readingsFor, type ReadingsOptions } from "./readings.ts";
export { DEFAULT_RETENTION, type RetentionPolicy, type SweepResult } from "./retention.ts";
export { type RollupDoc, RollupMarks } from "./rollups.ts";
export { chooseTier, MAX_POINTS, type Series, type Tier } from "./series.ts";
