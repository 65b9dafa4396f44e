/**
 * A device's readings over HTTP (docs/api.md, "Readings"): the newest N, a chart series over any
 * range in the tier that fits it, and a streamed export. Every one is an `_id` range of one
 * device in `@fleetmon/shared/readings`, so it costs what it returns, not what is stored.
 */
import { Hono } from "hono";
import { z } from "zod";
import { DEVICE_ID_PATTERN } from "@fleetmon/shared/protocol";
import { readingsFor, type StoredReading } from "@fleetmon/shared/readings";
import type { AppContext, WebEnv } from "./context.ts";
import { parseInput, ValidationError } from "./errors.ts";
import { parseQuery, queryInt } from "./query.ts";
import { getDevice } from "./queries.ts";
import type { ReadingJson } from "./shapes.ts";

export const MAX_READINGS_LIMIT = 1000;
const HOUR_MS = 3_600_000;
const MAX_SPAN_MS = 2 * 366 * 24 * HOUR_MS;

/** A time as epoch milliseconds or an ISO 8601 date. */
const time = z.union([
  z.string().regex(/^\d{1,15}$/).transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

export const readingsQuerySchema = z.strictObject({
  limit: queryInt(1, MAX_READINGS_LIMIT).default(100),
  /** Only readings taken before this time (exclusive): the previous page's `nextBefore`. */
  before: time.optional(),
});

const rangeSchema = z.strictObject({ from: time.optional(), to: time.optional() });
const exportSchema = rangeSchema.extend({ format: z.enum(["ndjson", "csv"]).default("ndjson") });

/** [from, to): to defaults to now, from to an hour before to; at most two years. */
function range(query: { from?: number; to?: number }, now: number): { from: number; to: number } {
  const to = query.to ?? now;
  const from = query.from ?? to - HOUR_MS;
  const problem = from >= to
    ? "from must be before to"
    : to - from > MAX_SPAN_MS
    ? "from to to spans at most two years"
    : undefined;
  if (problem) {
    throw new ValidationError("invalid_request", `Invalid query: ${problem}`, [
      { path: "from", message: problem },
    ]);
  }
  return { from, to };
}

export function readingJson(r: StoredReading): ReadingJson {
  return {
    device: r.device,
    seq: r.seq,
    ts: new Date(r.ts).toISOString(),
    metrics: r.metrics,
    receivedAt: new Date(r.receivedAt).toISOString(),
    node: r.node,
  };
}

export interface ReadingsPage {
  readings: ReadingJson[];
  /** Pass as `before` to get the next (older) page; null when this page is the last. */
  nextBefore: number | null;
}

/** A device's newest readings, newest first, optionally only those taken before `before`. */
export async function getReadings(
  ctx: Pick<AppContext, "db">,
  device: string,
  query: { limit: number; before?: number },
): Promise<ReadingsPage> {
  const readings = await (await readingsFor(ctx.db)).latest(device, query.limit, query.before);
  const last = readings.at(-1);
  return {
    readings: readings.map(readingJson),
    nextBefore: readings.length >= query.limit && last ? last.ts : null,
  };
}

export function readingsRoutes(ctx: AppContext): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const deviceId = async (raw: string) => {
    const id = parseInput("device id", z.string().regex(DEVICE_ID_PATTERN), raw);
    await getDevice(ctx.db, id); // 404 for a device that does not exist
    return id;
  };

  app.get("/devices/:id/readings", async (c) => {
    const query = parseQuery(c, readingsQuerySchema);
    return c.json(await getReadings(ctx, await deviceId(c.req.param("id")), query));
  });

  app.get("/devices/:id/series", async (c) => {
    const { from, to } = range(parseQuery(c, rangeSchema), ctx.now());
    const id = await deviceId(c.req.param("id"));
    return c.json(await (await readingsFor(ctx.db)).series(id, from, to));
  });

  app.get("/devices/:id/export", async (c) => {
    const query = parseQuery(c, exportSchema);
    const { from, to } = range(query, ctx.now());
    const id = await deviceId(c.req.param("id"));
    const readings = (await readingsFor(ctx.db)).export(id, from, to);
    const lines = query.format === "csv" ? csvLines(readings) : ndjsonLines(readings);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await lines.return(undefined);
      },
    });
    const type = query.format === "csv" ? "text/csv" : "application/x-ndjson";
    return c.body(body, 200, {
      "content-type": `${type}; charset=utf-8`,
      "content-disposition": `attachment; filename="${id}.${query.format}"`,
    });
  });

  return app;
}

/** One JSON line per reading. */
async function* ndjsonLines(readings: AsyncIterable<StoredReading>): AsyncGenerator<string> {
  let batch = "";
  for await (const r of readings) {
    batch += JSON.stringify({ device: r.device, seq: r.seq, ts: r.ts, metrics: r.metrics }) + "\n";
    if (batch.length >= 65_536) {
      yield batch;
      batch = "";
    }
  }
  if (batch) yield batch;
}

/** Long format, one row per metric value: device,seq,ts,metric,value (names need no quoting). */
async function* csvLines(readings: AsyncIterable<StoredReading>): AsyncGenerator<string> {
  let batch = "device,seq,ts,metric,value\n";
  for await (const r of readings) {
    const ts = new Date(r.ts).toISOString();
    for (const name in r.metrics) {
      batch += `${r.device},${r.seq},${ts},${name},${r.metrics[name]}\n`;
    }
    if (batch.length >= 65_536) {
      yield batch;
      batch = "";
    }
  }
  if (batch) yield batch;
}
