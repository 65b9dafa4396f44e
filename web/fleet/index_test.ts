import assert from "node:assert/strict";
import type { DeviceDoc } from "@fleetmon/shared/db";
import { DEFAULT_INTERVAL_MS, FleetIndex } from "./index.ts";
import { fleetQuerySchema, queryFleet } from "./query.ts";
import { countFleet } from "./overview.ts";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const doc = (id: string, extra: Partial<DeviceDoc> = {}): DeviceDoc => ({
  _id: id,
  name: id,
  tokenHash: "h",
  enabled: true,
  createdAt: new Date(NOW - 86_400_000),
  updatedAt: new Date(NOW),
  ...extra,
});
const last = (seq: number, agoMs: number) => ({
  seq,
  ts: new Date(NOW - agoMs),
  seen: new Date(NOW - agoMs),
  metrics: { v: seq },
  node: "cs0",
});

Deno.test("the fleet index lists devices in natural order and pages, filters and searches them", () => {
  const index = new FleetIndex();
  index.load(
    ["sim-10", "sim-2", "sim-1", "pump-3"].map((id) =>
      doc(id, { group: id.startsWith("sim") ? "lab" : "hall", tags: id === "sim-2" ? ["hot"] : [] })
    ),
  );
  const ids = (query: Record<string, string>) =>
    queryFleet(index, fleetQuerySchema.parse(query), NOW).devices.map((d) => d.id);
  assert.deepEqual(ids({}), ["pump-3", "sim-1", "sim-2", "sim-10"]);
  assert.deepEqual(ids({ limit: "2", offset: "1" }), ["sim-1", "sim-2"]);
  assert.deepEqual(ids({ dir: "desc" }), ["sim-10", "sim-2", "sim-1", "pump-3"]);
  assert.deepEqual(ids({ q: "SIM-1" }), ["sim-1", "sim-10"]);
  assert.deepEqual(ids({ group: "hall" }), ["pump-3"]);
  assert.deepEqual(ids({ tag: "hot" }), ["sim-2"]);
  assert.equal(queryFleet(index, fleetQuerySchema.parse({ limit: "1" }), NOW).total, 4);
});

Deno.test("a device is online within 3 intervals of being seen, the interval learnt from its readings", () => {
  const index = new FleetIndex();
  index.load([
    doc("a"),
    doc("b", { enabled: false }),
    doc("c"),
    doc("d", { expectedIntervalMs: 600_000 }),
  ]);
  index.applyLast("a", last(1, 40_000));
  index.applyLast("a", last(2, 30_000)); // readings 10 s apart: online for 30 s
  index.applyLast("a", last(1, 0)); // an older seq never wins
  assert.equal(index.get("a")!.last!.seq, 2);
  assert.equal(index.onlineWindowMs(index.get("a")!), 30_000);
  assert.equal(index.status(index.get("a")!, NOW), "online");
  assert.equal(index.status(index.get("a")!, NOW + 1_000), "offline");
  assert.equal(index.status(index.get("b")!, NOW), "disabled");
  assert.equal(index.status(index.get("c")!, NOW), "never");
  index.applyLast("d", last(1, 25 * 60_000));
  assert.equal(index.status(index.get("d")!, NOW), "online", "its own interval: 10 min");
  index.applyConnection({ device: "c", node: "cs1", kind: "connect", at: new Date(NOW - 1_000) });
  assert.equal(index.status(index.get("c")!, NOW), "online", "a connection opened counts as seen");
  assert.equal(index.status(index.get("c")!, NOW + 3 * DEFAULT_INTERVAL_MS), "offline");
  const counts = countFleet(index, NOW);
  assert.deepEqual(
    [counts.online, counts.offline, counts.never, counts.disabled],
    [3, 0, 0, 1],
  );
});

Deno.test("edits keep what the feed told: the newest reading and connection survive a reload", () => {
  const index = new FleetIndex();
  index.load([doc("a")]);
  index.applyLast("a", last(5, 1_000));
  const before = index.version;
  index.upsert(doc("a", { group: "roof", last: last(3, 9_000) }));
  assert.ok(index.version > before);
  assert.equal(index.get("a")!.last!.seq, 5, "the document's older last does not win");
  assert.equal(index.get("a")!.group, "roof");
  index.remove("a");
  assert.equal(index.size, 0);
});
