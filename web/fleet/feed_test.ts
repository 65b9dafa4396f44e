import assert from "node:assert/strict";
import { registerDevice } from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { openTestDatabase, writeTestReading } from "@fleetmon/shared/testing";
import { FleetFeed } from "./feed.ts";
import { FleetIndex } from "./index.ts";

Deno.test("a device registered after the index loaded appears with its reading at the next sync", async () => {
  await using t = await openTestDatabase();
  const index = new FleetIndex();
  const feed = new FleetFeed({ db: t.db, index, logger: createMemoryLogger("web") });
  await feed.sync();
  assert.equal(index.size, 0);
  // As `deno task device add` registers it: no change of its own on the feed.
  await registerDevice(t.db, { id: "late-1" });
  await writeTestReading(t.db, "late-1", 1, { temp: 42 });
  await feed.sync();
  assert.equal(index.get("late-1")?.last?.metrics.temp, 42);
});
