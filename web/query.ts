/**
 * Strict query strings (docs/api.md): every key at most once, unknown keys refused by the route's
 * strictObject schema, integers only in plain decimal (`limit=0x10`, `1e3`, ` 5` are refused).
 */
import type { Context } from "hono";
import { z } from "zod";
import { parseInput, ValidationError } from "./errors.ts";

/** A decimal integer in [min, max], as written in a query string. */
export function queryInt(min: number, max: number) {
  return z.string()
    .regex(/^-?(0|[1-9][0-9]{0,15})$/, "must be a decimal integer")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** The request's query, parsed by `schema`; a key given twice is a 400. */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const all = c.req.queries();
  const single: Record<string, string> = {};
  for (const [key, values] of Object.entries(all)) {
    if (values.length > 1) {
      throw new ValidationError(
        "invalid_request",
        `Invalid query: ${key}: given ${values.length} times; give it once`,
        [{ path: key, message: `given ${values.length} times; give it once` }],
      );
    }
    single[key] = values[0];
  }
  return parseInput("query", schema, single);
}
