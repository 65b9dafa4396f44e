/** Device → server frames of protocol version 1: parsing and validation (docs/protocol.md). */
import { z } from "zod";
import { ProtocolError } from "../errors.ts";
import {
  DEFAULT_LIMITS,
  MAX_READING_AGE_MS,
  MAX_READING_FUTURE_MS,
  type NackCode,
} from "./codes.ts";

export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/**
 * Metric names become field names in the database (`devices.last.metrics`, rollups), so they
 * exclude what MongoDB and FerretDB refuse in a field name: `.` (a path separator), a leading
 * `$`, NUL, the empty name. `__` is kept off for `__proto__`.
 */
export const METRIC_NAME_PATTERN = /^(?!__)[A-Za-z0-9_:-]{1,64}$/;

export const deviceIdSchema = z.string().regex(
  DEVICE_ID_PATTERN,
  "expected 1-64 of A-Z a-z 0-9 . _ : -",
);

const helloSchema = z.object({
  type: z.literal("hello"),
  v: z.number().int(),
  device: deviceIdSchema,
  token: z.string().min(1).max(256),
  agent: z.string().max(128).optional(),
});

const readingSchema = z.object({
  type: z.literal("reading"),
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  ts: z.number().int().min(0),
  metrics: z.record(
    z.string().regex(
      METRIC_NAME_PATTERN,
      "metric names are 1-64 of A-Z a-z 0-9 _ : - not starting with __ (no . or $)",
    ),
    z.number(),
  ),
});

const pingSchema = z.object({
  type: z.literal("ping"),
  id: z.union([z.string().max(64), z.number()]).optional(),
});

export type HelloFrame = z.output<typeof helloSchema>;
export type ReadingFrame = z.output<typeof readingSchema>;
export type PingFrame = z.output<typeof pingSchema>;
export type DeviceFrame = HelloFrame | ReadingFrame | PingFrame;

/** A reading that failed validation: not fatal for the connection. */
export class ReadingError extends ProtocolError {
  override name = "ReadingError";
  readonly seq: number | undefined;
  constructor(code: NackCode, message: string, seq: number | undefined) {
    super(code, message);
    this.seq = seq;
  }
}

/** A JSON object whose `type` protocol version 1 does not have: fatal `invalid_frame`. */
export class UnknownFrameTypeError extends ProtocolError {
  override name = "UnknownFrameTypeError";
  constructor(type: unknown) {
    super(
      "invalid_frame",
      `Cannot accept frame: unknown type ${JSON.stringify(type)?.slice(0, 40)}`,
    );
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses one line. Throws ProtocolError("invalid_frame") for anything that is not a frame of a
 * known type (fatal), and ReadingError for a reading frame whose fields are wrong (not fatal).
 */
export function parseDeviceFrame(
  line: Uint8Array,
  now: number,
  maxMetrics: number = DEFAULT_LIMITS.maxMetrics,
): DeviceFrame {
  const value = decodeJsonObject(line);
  switch (value.type) {
    case "reading":
      return parseReading(value, now, maxMetrics);
    case "hello":
      return parseOrThrow(helloSchema, value);
    case "ping":
      return parseOrThrow(pingSchema, value);
    default:
      throw new UnknownFrameTypeError(value.type);
  }
}

function decodeJsonObject(line: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(line));
  } catch (error) {
    const what = error instanceof TypeError ? "invalid UTF-8" : "invalid JSON";
    throw new ProtocolError("invalid_frame", `Cannot accept frame: ${what}`, { cause: error });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ProtocolError("invalid_frame", "Cannot accept frame: expected a JSON object");
  }
  return value as Record<string, unknown>;
}

/** Metric names seen valid before; devices repeat theirs, so the regex runs once per name. */
const knownMetricNames = new Set<string>();
const KNOWN_NAMES_LIMIT = 10_000;

/**
 * The hot path: accepts only readings the zod schema surely accepts, and builds the same output.
 * Anything it does not accept goes to zod, which decides and explains.
 */
function fastReading(value: Record<string, unknown>, maxMetrics: number): ReadingFrame | undefined {
  const { seq, ts, metrics } = value;
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return undefined;
  if (!Number.isSafeInteger(ts) || (ts as number) < 0) return undefined;
  if (metrics === null || typeof metrics !== "object" || Array.isArray(metrics)) return undefined;
  let count = 0;
  for (const name in metrics) {
    if (!Object.hasOwn(metrics, name)) return undefined;
    const v = (metrics as Record<string, unknown>)[name];
    if (typeof v !== "number" || !Number.isFinite(v)) return undefined;
    if (!knownMetricNames.has(name)) {
      if (!METRIC_NAME_PATTERN.test(name)) return undefined;
      if (knownMetricNames.size < KNOWN_NAMES_LIMIT) knownMetricNames.add(name);
    }
    count++;
  }
  if (count === 0 || count > maxMetrics) return undefined;
  return {
    type: "reading",
    seq: seq as number,
    ts: ts as number,
    metrics: metrics as Record<string, number>,
  };
}

function parseReading(value: Record<string, unknown>, now: number, maxMetrics: number) {
  const fast = fastReading(value, maxMetrics);
  if (fast) return checkTimestamp(fast, now);
  const seq = Number.isSafeInteger(value.seq) ? value.seq as number : undefined;
  const metrics = value.metrics;
  if (metrics !== null && typeof metrics === "object") {
    const count = Object.keys(metrics).length;
    if (count > maxMetrics) {
      throw new ReadingError("too_large", `metrics: ${count} entries exceed ${maxMetrics}`, seq);
    }
    if (count === 0) {
      throw new ReadingError("invalid_reading", "metrics: expected at least one", seq);
    }
    // zod's record drops an own "__proto__" key silently instead of refusing it.
    if (Object.hasOwn(metrics, "__proto__")) {
      throw new ReadingError(
        "invalid_reading",
        "metrics.__proto__: names may not start with __",
        seq,
      );
    }
  }
  const result = readingSchema.safeParse(value);
  if (!result.success) throw new ReadingError("invalid_reading", describe(result.error), seq);
  return checkTimestamp(result.data, now);
}

function checkTimestamp(reading: ReadingFrame, now: number): ReadingFrame {
  if (reading.ts < now - MAX_READING_AGE_MS || reading.ts > now + MAX_READING_FUTURE_MS) {
    throw new ReadingError(
      "invalid_reading",
      `ts: ${new Date(reading.ts).toISOString()} is outside 30 days before to 5 minutes after now`,
      reading.seq,
    );
  }
  return reading;
}

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ProtocolError("invalid_frame", `Cannot accept frame: ${describe(result.error)}`);
  }
  return result.data;
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.map(String).join(".");
  // A bad record key nests its reason one level down.
  const message = issue.code === "invalid_key" ? issue.issues[0]?.message : issue.message;
  return path ? `${path}: ${message}` : `${message}`;
}
