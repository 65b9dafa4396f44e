import assert from "node:assert/strict";
import { describeDetail } from "./views.tsx";

Deno.test("the audit table says what changed from what to what", () => {
  assert.equal(describeDetail({ role: "viewer" }), "role: viewer");
  assert.equal(
    describeDetail({
      name: { from: "Pump 1", to: "Pump One" },
      tags: { from: ["pump"], to: ["north", "pump"] },
      group: { from: null, to: "plant-a" },
    }),
    "name: Pump 1 → Pump One · tags: pump → north, pump · group: none → plant-a",
  );
  assert.equal(describeDetail({ status: 200 }), "status: 200");
  assert.equal(describeDetail(undefined), "");
});
