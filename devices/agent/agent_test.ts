import assert from "node:assert/strict";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { startAgent } from "./agent.ts";
import { HostCollector, type HostSource } from "./collector.ts";

Deno.test("the agent sends one reading per interval and reports a broken source once", async () => {
  let stat = 0;
  const source: HostSource = {
    proc: (name) => {
      if (name === "stat") return `cpu  ${(stat += 10)} 0 0 ${stat * 3} 0 0 0 0\n`;
      throw new Error(`cannot read ${name}`);
    },
    blockDevices: () => new Set(),
    statfs: () => ({ sizeBytes: 10, freeBytes: 5, availBytes: 5 }),
  };
  const sent: [Record<string, number>, number | undefined][] = [];
  const logger = createMemoryLogger();
  const agent = startAgent({
    collector: new HostCollector(source, ["/"]),
    client: { send: (metrics, ts) => sent.push([metrics, ts]) },
    intervalMs: 30,
    logger,
  });
  try {
    const deadline = Date.now() + 5_000;
    while (sent.length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    agent.stop();
  }
  assert.ok(sent.length >= 3);
  assert.equal(agent.readings, sent.length);
  assert.equal(sent[0][0].cpu, 0.25);
  assert.equal(sent[0][0].fs_root_used_ratio, 0.5);
  assert.ok(Math.abs(sent[0][1]! - Date.now()) < 5_000);
  const warnings = logger.lines.filter((l) => l.msg === "cannot collect a metric group");
  assert.equal(warnings.length, 5, "memory, load, uptime, disk, network: once each");
});

Deno.test("a failing client is logged, not thrown out of the timer", () => {
  const source: HostSource = {
    proc: () => "0.1 0.2 0.3 1/2 3",
    blockDevices: () => new Set(),
    statfs: () => ({ sizeBytes: 10, freeBytes: 5, availBytes: 5 }),
  };
  const logger = createMemoryLogger();
  const agent = startAgent({
    collector: new HostCollector(source, ["/"]),
    client: {
      send: () => {
        throw new Error("Cannot send reading: the device client stopped: bad_token");
      },
    },
    intervalMs: 60_000,
    logger,
  });
  agent.tick();
  agent.stop();
  assert.equal(agent.readings, 0);
  assert.ok(logger.lines.some((l) => l.msg === "cannot send reading"));
});
