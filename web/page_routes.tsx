/** The server-rendered pages: /, /devices, /devices/:id, /cluster. Query strings are ignored. */
import { Hono } from "hono";
import type { AppContext, WebEnv } from "./context.ts";
import { NotFoundError } from "./errors.ts";
import { getDevice, getDevices, getNodes, getReadings } from "./queries.ts";
import { DEVICE_ID_PATTERN } from "@fleetmon/shared/protocol";
import { ClusterPage } from "./views/cluster.tsx";
import { DevicePage } from "./views/device.tsx";
import { DevicesPage } from "./views/devices.tsx";

export function pageRoutes(ctx: AppContext): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  app.get("/", (c) => c.redirect("./devices", 302));

  app.get("/devices", async (c) => {
    const devices = await getDevices(ctx.db);
    return c.html(<DevicesPage user={c.get("session").user} devices={devices} now={ctx.now()} />);
  });

  app.get("/devices/:id", async (c) => {
    const id = c.req.param("id");
    if (!DEVICE_ID_PATTERN.test(id)) throw new NotFoundError(`Device "${id}" does not exist`);
    const device = await getDevice(ctx.db, id);
    const { readings } = await getReadings(ctx.db, id, { limit: 100 });
    return c.html(
      <DevicePage
        user={c.get("session").user}
        device={device}
        readings={readings}
        now={ctx.now()}
      />,
    );
  });

  app.get("/cluster", async (c) => {
    const nodes = await getNodes(ctx.db, ctx.now());
    return c.html(
      <ClusterPage user={c.get("session").user} nodes={nodes} now={ctx.now()} self={ctx.nodeId} />,
    );
  });

  return app;
}
