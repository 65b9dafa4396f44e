/**
 * The one place that turns errors into responses (Hono's app.onError). API paths get
 * `{error: {code, message}}`; pages get a small HTML page. Unexpected errors are logged with
 * their detail and answered with a bare 500 that leaks nothing.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { AuthError } from "@fleetmon/shared/errors";
import type { Logger } from "@fleetmon/shared/log";
import {
  BusyError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitError,
  ValidationError,
  validationErrorFrom,
} from "./errors.ts";
import { ErrorPage } from "./views/error_page.tsx";

export interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

export interface Described {
  status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503;
  body: ErrorBody;
  headers?: Record<string, string>;
}

/** Status and body for an error; pure, so it is tested on its own. */
export function describeError(error: unknown): Described {
  if (error instanceof z.ZodError) error = validationErrorFrom("request", error);
  if (error instanceof ConflictError) {
    return { status: 409, body: { error: { code: error.code, message: error.message } } };
  }
  if (error instanceof ValidationError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.issues.length > 0) body.error.issues = error.issues;
    return { status: 400, body };
  }
  if (error instanceof AuthError) {
    return { status: 401, body: { error: { code: error.code, message: error.message } } };
  }
  if (error instanceof ForbiddenError) {
    return { status: 403, body: { error: { code: error.code, message: error.message } } };
  }
  if (error instanceof NotFoundError) {
    return { status: 404, body: { error: { code: error.code, message: error.message } } };
  }
  if (error instanceof RateLimitError) {
    return {
      status: 429,
      body: { error: { code: error.code, message: error.message } },
      headers: { "Retry-After": String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) },
    };
  }
  if (error instanceof BusyError) {
    return {
      status: 503,
      body: { error: { code: error.code, message: error.message } },
      headers: { "Retry-After": String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) },
    };
  }
  if (error instanceof HTTPException && error.status === 403) {
    return {
      status: 403,
      body: { error: { code: "forbidden", message: "Cross-origin request refused" } },
    };
  }
  if (error instanceof HTTPException && error.status === 413) {
    return {
      status: 413,
      body: { error: { code: "too_large", message: "Request body too large" } },
    };
  }
  return { status: 500, body: { error: { code: "internal", message: "Internal server error" } } };
}

export function isApiPath(path: string): boolean {
  return path === "/healthz" || path === "/metrics" || path.startsWith("/api/");
}

export function errorHandler(logger: Logger) {
  return function onError(error: Error, c: Context): Response | Promise<Response> {
    const described = describeError(error);
    if (described.status === 500) {
      logger.error("request failed", { method: c.req.method, path: c.req.path, error });
    }
    for (const [name, value] of Object.entries(described.headers ?? {})) c.header(name, value);
    if (isApiPath(c.req.path)) return c.json(described.body, described.status);
    return c.html(
      ErrorPage({
        path: c.req.path,
        status: described.status,
        message: described.body.error.message,
      }),
      described.status,
    );
  };
}
