/** The server-rendered pages: / (→ overview), /overview, /devices, /devices/:id. */
import { Hono } from "hono";
import type { AppContext, WebEnv } from "./context.ts";
import { parseQuery } from "./query.ts";
import { NotFoundError } from "./errors.ts";
import { fleetQuerySchema } from "./fleet/mod.ts";
import { alertsForDevice } from "./alerts/mod.ts";
import { readConnectionHistory } from "@fleetmon/shared/db";
import { hasRole } from "./roles.ts";
import { DEVICE_ID_PATTERN } from "@fleetmon/shared/protocol";
import { DevicePage } from "./views/device.tsx";
import { DevicesPage } from "./views/devices.tsx";
import { OverviewPage } from "./views/overview.tsx";

export function pageRoutes(ctx: AppContext): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const { fleet } = ctx;

  app.get("/", (c) => c.redirect("./overview", 302));

  app.get("/overview", async (c) => {
    await fleet.sync();
    const session = c.get("session");
    return c.html(
      <OverviewPage user={session.user} role={session.role} overview={fleet.overview()} />,
    );
  });

  app.get("/devices", async (c) => {
    const query = parseQuery(c, fleetQuerySchema);
    await fleet.sync();
    const session = c.get("session");
    return c.html(
      <DevicesPage
        user={session.user}
        role={session.role}
        canEdit={hasRole(session.role, "operator")}
        query={query}
        page={fleet.query(query)}
        facets={fleet.facets()}
        now={ctx.now()}
      />,
    );
  });

  app.get("/devices/:id", async (c) => {
    const id = c.req.param("id");
    await fleet.sync();
    const device = DEVICE_ID_PATTERN.test(id) ? fleet.row(id) : undefined;
    if (!device) throw new NotFoundError(`Device "${id}" does not exist`);
    const session = c.get("session");
    const [alerts, connections] = await Promise.all([
      alertsForDevice(ctx.db, id),
      readConnectionHistory(ctx.db, id),
    ]);
    return c.html(
      <DevicePage
        user={session.user}
        role={session.role}
        canEdit={hasRole(session.role, "operator")}
        device={device}
        alerts={alerts}
        connections={connections.reverse()}
        now={ctx.now()}
      />,
    );
  });

  return app;
}
