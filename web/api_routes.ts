/**
 * The JSON API under /api (docs/api.md). Every query string is validated with a strict schema:
 * unknown parameters are refused with 400, so a typo never silently changes a result.
 */
import { Hono } from "hono";
import { z } from "zod";
import { DEVICE_ID_PATTERN } from "@fleetmon/shared/protocol";
import type { AppContext, WebEnv } from "./context.ts";
import { parseInput } from "./errors.ts";
import { parseQuery, queryInt } from "./query.ts";
import { getDevice, getNodes, getReadings } from "./queries.ts";

export const MAX_READINGS_LIMIT = 1000;

const noQuery = z.strictObject({});
export const readingsQuerySchema = z.strictObject({
  limit: queryInt(1, MAX_READINGS_LIMIT).default(100),
  before: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
});
const deviceIdSchema = z.string().regex(
  DEVICE_ID_PATTERN,
  "must be 1-64 characters of A-Z a-z 0-9 . _ : -",
);

export function apiRoutes(ctx: AppContext): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const deviceId = (raw: string) => parseInput("device id", deviceIdSchema, raw);

  app.get("/me", (c) => {
    parseQuery(c, noQuery);
    const session = c.get("session");
    return c.json({
      username: session.user,
      role: session.role,
      expiresAt: session.expiresAt.toISOString(),
    });
  });

  app.get("/devices/:id", async (c) => {
    parseQuery(c, noQuery);
    return c.json(await getDevice(ctx.db, deviceId(c.req.param("id"))));
  });

  app.get("/devices/:id/readings", async (c) => {
    const query = parseQuery(c, readingsQuerySchema);
    const id = deviceId(c.req.param("id"));
    await getDevice(ctx.db, id); // 404 for a device that does not exist
    return c.json(await getReadings(ctx.db, id, query));
  });

  app.get("/nodes", async (c) => {
    parseQuery(c, noQuery);
    return c.json({ nodes: await getNodes(ctx.db, ctx.now()) });
  });

  return app;
}
