/** Reads a JSON request body (at most 16 KiB) and validates it with a strict schema. */
import type { Context } from "hono";
import type { z } from "zod";
import { parseInput, ValidationError } from "../errors.ts";

export const MAX_JSON_BODY = 16 * 1024;

export async function readJson<S extends z.ZodType>(
  c: Context,
  what: string,
  schema: S,
): Promise<z.output<S>> {
  if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
    throw new ValidationError(
      "invalid_request",
      `Invalid ${what}: expected a JSON body with Content-Type: application/json`,
    );
  }
  const text = await c.req.text();
  if (text.length > MAX_JSON_BODY) {
    throw new ValidationError("too_large", `Invalid ${what}: body over ${MAX_JSON_BODY} bytes`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ValidationError("invalid_json", `Invalid ${what}: body is not JSON`, [], {
      cause: error,
    });
  }
  return parseInput(what, schema, body);
}
