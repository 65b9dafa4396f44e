import assert from "node:assert/strict";
import { handoverRisk } from "./handover.ts";

Deno.test("a reload resets no queued connection only when the kernel migrates them", () => {
  assert.equal(handoverRisk("1\n"), undefined);
  assert.match(handoverRisk("0\n")!, /tcp_migrate_req is "0".*reset.*set it to 1/);
  assert.match(handoverRisk(undefined)!, /cannot be read.*may be reset/);
});
