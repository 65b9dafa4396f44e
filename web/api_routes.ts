/**
 * The JSON API under /api (docs/api.md). Every query string is validated with a strict schema:
 * unknown parameters are refused with 400, so a typo never silently changes a result.
 */
import { Hono } from "hono";
import { z } from "zod";
import { DEVICE_ID_PATTERN } from "@fleetmon/shared/protocol";
import type { AppContext, WebEnv } from "./context.ts";
import { parseInput } from "./errors.ts";
import { parseQuery } from "./query.ts";
import { getDevice, getNodes } from "./queries.ts";

const noQuery = z.strictObject({});
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

  app.get("/nodes", async (c) => {
    parseQuery(c, noQuery);
    return c.json({ nodes: await getNodes(ctx.db, ctx.now()) });
  });

  return app;
}
