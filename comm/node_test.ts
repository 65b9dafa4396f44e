import assert from "node:assert/strict";
import { listNodes, registerDevice } from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { connectTestDevice, eventually } from "./_test_device.ts";
import { commConfigSchema } from "./config.ts";
import { startCommNode } from "./node.ts";

Deno.test("a comm node started from its config welcomes devices, answers healthz and beats", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-n" });
  const logger = createMemoryLogger("comm");
  const node = await startCommNode(
    commConfigSchema.parse({
      node: "cs7",
      listen: "127.0.0.1:0",
      health: "127.0.0.1:0",
      mongodbUri: t.uri,
      heartbeatMs: 50,
    }),
    logger,
  );
  try {
    {
      await using device = await connectTestDevice(node.addr.port);
      await device.send({ type: "hello", v: 1, device: "dev-n", token });
      assert.equal((await device.waitFor((f) => f.type === "welcome")).node, "cs7");
    }
    const health = await fetch(`http://127.0.0.1:${node.healthAddr.port}/healthz`);
    assert.equal((await health.json()).ok, true);
    await eventually(async () => (await listNodes(t.db)).some((n) => n._id === "cs7"));
    assert.ok(logger.lines.some((line) => line.msg === "listening"));
  } finally {
    await node.close();
  }
  await assert.rejects(() => fetch(`http://127.0.0.1:${node.healthAddr.port}/healthz`));
});

Deno.test("startCommNode fails and closes what it opened when its health port is taken", async () => {
  await using t = await openTestDatabase();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await assert.rejects(
    () =>
      startCommNode(
        commConfigSchema.parse({
          node: "cs8",
          listen: "127.0.0.1:0",
          health: `127.0.0.1:${taken.addr.port}`,
          mongodbUri: t.uri,
        }),
        createMemoryLogger("comm"),
      ),
    Deno.errors.AddrInUse,
  );
});
