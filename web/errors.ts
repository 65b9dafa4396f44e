/** Errors the web tier maps to HTTP statuses in one place (see error_handler.ts). */
import type { z } from "zod";

/** The request is malformed or fails validation: 400. */
export class ValidationError extends Error {
  override name = "ValidationError";
  readonly code: string;
  readonly issues: { path: string; message: string }[];
  constructor(
    code: string,
    message: string,
    issues: { path: string; message: string }[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    this.issues = issues;
  }
}

/** The thing asked for does not exist: 404. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  readonly code = "not_found";
}

/** The thing to create exists already: 409. */
export class ConflictError extends Error {
  override name = "ConflictError";
  readonly code = "conflict";
}

/** The caller is signed in but may not do this: 403. */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
  readonly code = "forbidden";
}

/** Too many attempts: 429, with Retry-After. */
export class RateLimitError extends Error {
  override name = "RateLimitError";
  readonly code = "rate_limited";
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The node is too busy for this right now (e.g. too many sign-ins hashing): 503, with Retry-After. */
export class BusyError extends Error {
  override name = "BusyError";
  readonly code = "busy";
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Turns zod issues into one readable message: `Invalid query: limit: Too big: expected …`. */
export function validationErrorFrom(what: string, error: z.ZodError): ValidationError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  return new ValidationError("invalid_request", `Invalid ${what}: ${detail}`, issues, {
    cause: error,
  });
}

/** Parses `input` with `schema`, throwing a ValidationError that names `what` was invalid. */
export function parseInput<S extends z.ZodType>(
  what: string,
  schema: S,
  input: unknown,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationErrorFrom(what, result.error);
  return result.data;
}
