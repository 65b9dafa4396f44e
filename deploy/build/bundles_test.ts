import assert from "node:assert/strict";
import { toolEntries } from "./bundles.ts";

Deno.test("toolEntries takes each operator tool's script from its deno task", () => {
  const { entries, missing } = toolEntries({
    device: "deno run --allow-net --allow-env devices/cli/main.ts",
    "db:init": "deno run --allow-all shared/db/init_main.ts --quiet",
  });
  assert.deepEqual(entries, [
    { name: "db-init", entry: "shared/db/init_main.ts", kind: "tool" },
    { name: "device", entry: "devices/cli/main.ts", kind: "tool" },
  ]);
  assert.deepEqual(missing, ["user"]);
});
