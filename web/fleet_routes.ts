/**
 * The fleet's JSON API (docs/api.md): the overview, the device list (search, filter, natural
 * sort, paging), registering and editing devices, a device's connection history, and the live
 * streams of both. Answers come from the node's in-memory fleet index (web/fleet/), never from
 * a scan of `devices`.
 */
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { readConnectionHistory } from "@fleetmon/shared/db";
import { DEVICE_ID_PATTERN } from "@fleetmon/shared/protocol";
import type { AppContext, WebEnv } from "./context.ts";
import { parseQuery } from "./query.ts";
import { NotFoundError, parseInput, ValidationError } from "./errors.ts";
import { deviceEditSchema, deviceRegistrationSchema, fleetQuerySchema } from "./fleet/mod.ts";
import { devicesStream, overviewStream } from "./live.ts";
import { requireRole } from "./roles.ts";
import { actorOf } from "./access/actor.ts";
import { recordAudit } from "./access/audit.ts";

const noQuery = z.strictObject({});
const deviceIdSchema = z.string().regex(
  DEVICE_ID_PATTERN,
  "must be 1-64 characters of A-Z a-z 0-9 . _ : -",
);
const limitBody = bodyLimit({
  maxSize: 16 * 1024,
  onError: () => {
    throw new HTTPException(413);
  },
});

/** The request's JSON body; 400 when it is not JSON. */
async function jsonBody(
  c: { req: { header(name: string): string | undefined; json(): Promise<unknown> } },
  what: string,
) {
  if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
    throw new ValidationError(
      "invalid_request",
      `Invalid ${what}: expected a JSON body with Content-Type: application/json`,
    );
  }
  try {
    return await c.req.json();
  } catch (error) {
    throw new ValidationError("invalid_json", `Invalid ${what}: body is not JSON`, [], {
      cause: error,
    });
  }
}

export function fleetRoutes(ctx: AppContext): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const { fleet } = ctx;
  const deviceId = (raw: string) => parseInput("device id", deviceIdSchema, raw);
  const knownDevice = (raw: string) => {
    const id = deviceId(raw);
    if (!fleet.index.get(id)) throw new NotFoundError(`Device "${id}" does not exist`);
    return id;
  };

  /** The audit entry of a device change (the generic one in access/audit_changes.ts is skipped). */
  const audit = async (
    c: Context<WebEnv>,
    action: string,
    target: string,
    detail: Record<string, unknown>,
  ) => {
    c.set("audited", true);
    await recordAudit(ctx.db, { ...actorOf(ctx, c), action, target, detail }, new Date(ctx.now()));
  };

  app.get("/overview", async (c) => {
    parseQuery(c, noQuery);
    await fleet.sync();
    return c.json(fleet.overview());
  });

  app.get("/devices", async (c) => {
    const query = parseQuery(c, fleetQuerySchema);
    await fleet.sync();
    return c.json({ ...fleet.query(query), facets: fleet.facets() });
  });

  app.post("/devices", requireRole("operator"), limitBody, async (c) => {
    const input = parseInput("device", deviceRegistrationSchema, await jsonBody(c, "device"));
    const registered = await fleet.register(input);
    ctx.logger.info("device registered", { device: input.id, by: c.get("session").user });
    await audit(c, "device.register", input.id, {
      name: input.name ?? input.id,
      group: input.group ?? null,
      tags: input.tags ?? [],
    });
    return c.json({ device: fleet.row(input.id), token: registered.token }, 201);
  });

  app.patch("/devices/:id", requireRole("operator"), limitBody, async (c) => {
    const id = deviceId(c.req.param("id"));
    const edit = parseInput("device change", deviceEditSchema, await jsonBody(c, "device change"));
    const before = fleet.row(id);
    const row = await fleet.edit(id, edit);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of Object.keys(edit) as (keyof typeof edit)[]) {
      const from = before?.[field] ?? null;
      const to = row[field] ?? null;
      if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
    }
    await audit(c, "device.edit", id, changes);
    ctx.logger.info("device changed", {
      device: id,
      by: c.get("session").user,
      fields: Object.keys(edit),
    });
    return c.json(row);
  });

  app.get("/devices/:id/connections", async (c) => {
    parseQuery(c, noQuery);
    await fleet.sync();
    const id = knownDevice(c.req.param("id"));
    const events = await readConnectionHistory(ctx.db, id);
    return c.json({
      connections: events.reverse().map((e) => ({
        kind: e.kind,
        node: e.node,
        at: e.at.toISOString(),
        reason: e.reason ?? null,
      })),
    });
  });

  app.get("/stream/devices", (c) => {
    const query = parseQuery(c, fleetQuerySchema);
    return devicesStream(ctx, query)(c);
  });
  app.get("/stream/overview", (c) => {
    parseQuery(c, noQuery);
    return overviewStream(ctx)(c);
  });
  return app;
}
