import assert from "node:assert/strict";
import { collections } from "./collections.ts";
import { openTestDatabase } from "../testing/database.ts";

Deno.test("a lookup by _id is answered from the _id index, not by scanning the collection", async () => {
  await using t = await openTestDatabase();
  const devices = collections(t.db).devices;
  const now = new Date();
  await devices.insertMany(Array.from({ length: 200 }, (_, i) => ({
    _id: `d-${i}`,
    name: `d-${i}`,
    tokenHash: "h",
    enabled: true,
    createdAt: now,
    updatedAt: now,
  })));
  const plan = JSON.stringify((await devices.find({ _id: "d-150" }).explain()).queryPlanner);
  // FerretDB shows SQLite's plan ("SEARCH … USING INDEX …__id_"), MongoDB an _id index stage.
  assert.match(plan, /USING INDEX \w+__id_|IDHACK|EXPRESS_IXSCAN|IXSCAN/, plan);
  assert.equal((await devices.findOne({ _id: "d-150" }))?.name, "d-150");
});
