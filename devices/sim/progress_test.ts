import assert from "node:assert/strict";
import type { FleetSnapshot } from "./fleet.ts";
import { createProgressDisplay, formatDuration, formatProgress } from "./progress.ts";
import { buildReport, formatSummary } from "./report.ts";

const snapshot = (fields: Partial<FleetSnapshot> = {}): FleetSnapshot => ({
  devices: 1000,
  started: 1000,
  connected: 998,
  everConnected: 1000,
  failed: 0,
  generated: 12_500,
  sent: 12_400,
  resent: 0,
  acked: 12_000,
  nacked: {},
  dropped: {},
  inFlight: 400,
  buffered: 500,
  connects: 1000,
  connectFailures: 0,
  sendErrors: 0,
  ...fields,
});

Deno.test("the progress line shows connections, counts, nacks by code and the ack rate", () => {
  const line = formatProgress(
    snapshot({ acked: 14_000, nacked: { server_busy: 3, rate_limited: 1 } }),
    snapshot(),
    65_000,
    2_000,
  );
  assert.equal(
    line,
    "01:05 | connected 998/1,000 | sent 12,400 | acked 14,000 | " +
      "nacked server_busy:3 rate_limited:1 | in flight 400 | 1,000 readings/s",
  );
  assert.match(
    formatProgress(snapshot({ dropped: { overflow: 5 }, failed: 2 }), undefined, 0, 0),
    /0 readings\/s \| dropped overflow:5 \| failed 2$/,
  );
  assert.equal(formatDuration(3_725_000), "1:02:05");
});

Deno.test("on a terminal the line is redrawn and log lines go above it", () => {
  const out: string[] = [];
  const display = createProgressDisplay(true, (text) => out.push(text));
  display.show("a");
  display.log(() => out.push("LOG\n"));
  display.show("b");
  display.finish();
  assert.deepEqual(out, ["\r\x1b[2Ka", "\r\x1b[2K", "LOG\n", "a", "\r\x1b[2Kb", "\n"]);
  const plain: string[] = [];
  const pipe = createProgressDisplay(false, (text) => plain.push(text));
  pipe.show("a");
  pipe.log(() => plain.push("LOG\n"));
  pipe.finish();
  assert.deepEqual(plain, ["a\n", "LOG\n"]);
});

Deno.test("the report is ok only when no acked reading is lost or doubled", () => {
  const audit = {
    devices: 1000,
    checked: 14_000,
    found: 14_000,
    lost_acked: 0,
    duplicates: 0,
    lost_examples: [],
    ms: 120,
  };
  const input = {
    snapshot: snapshot({ acked: 14_000, connects: 1_010, buffered: 0 }),
    audit,
    rate: 1,
    target: "127.0.0.1:7000",
    connectMs: 2_000,
    sendingMs: 14_000,
    drained: true,
    failures: {},
  };
  const report = buildReport(input);
  assert.equal(report.ok, true);
  assert.equal(report.acked_per_s, 1_000);
  assert.equal(report.reconnects, 10);
  assert.match(
    formatSummary(report),
    /lost_acked 0, duplicates 0\n.*OK: every acked reading is stored exactly once; all 1,000/,
  );
  const bad = buildReport({
    ...input,
    audit: { ...audit, found: 13_999, lost_acked: 1, lost_examples: ["sim-3:17"] },
  });
  assert.equal(bad.ok, false);
  assert.match(formatSummary(bad), /FAILED: 1 acked readings not stored; e.g. sim-3:17/);
  assert.equal(buildReport({ ...input, audit: { ...audit, duplicates: 1 } }).ok, false);
});

Deno.test("the report is never ok when devices failed to connect, were refused or left readings unacked", () => {
  const clean = {
    devices: 20,
    checked: 0,
    found: 0,
    lost_acked: 0,
    duplicates: 0,
    lost_examples: [],
    ms: 1,
  };
  const input = {
    audit: clean,
    rate: 1,
    target: "127.0.0.1:7000",
    connectMs: 30_000,
    sendingMs: 10_000,
    drained: true,
    failures: {},
  };
  // What a PROXY mismatch between lb(comm) and comm looked like: nothing connected, audit clean.
  const none = buildReport({
    ...input,
    snapshot: snapshot({
      devices: 20,
      started: 20,
      connected: 0,
      everConnected: 0,
      connects: 0,
      acked: 0,
      generated: 0,
      buffered: 0,
    }),
  });
  assert.equal(none.ok, false);
  assert.match(formatSummary(none), /FAILED: 20 of 20 devices never connected/);
  const refused = buildReport({
    ...input,
    snapshot: snapshot({ devices: 20, started: 20, everConnected: 18, failed: 2, buffered: 0 }),
  });
  assert.deepEqual(refused.problems, ["2 of 20 devices never connected", "2 devices were refused"]);
  const stuck = buildReport({ ...input, drained: false, snapshot: snapshot({ buffered: 500 }) });
  assert.deepEqual(stuck.problems, ["500 readings unacked at the end"]);
});
