/** GET /api/cluster (JSON) and GET /cluster (the page); any signed-in role may read them. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext, WebEnv } from "../context.ts";
import { parseQuery } from "../query.ts";
import { ClusterPage } from "./page.tsx";
import type { ClusterReader } from "./view.ts";

const noQuery = z.strictObject({});

export function clusterRoutes(_ctx: AppContext, reader: ClusterReader): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  app.get("/api/cluster", async (c) => {
    parseQuery(c, noQuery);
    return c.json(await reader.read());
  });
  app.get("/cluster", async (c) => {
    const session = c.get("session");
    return c.html(
      <ClusterPage user={session.user} role={session.role} view={await reader.read()} />,
    );
  });
  return app;
}
