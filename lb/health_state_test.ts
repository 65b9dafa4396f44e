import assert from "node:assert/strict";
import { type BackendState, HealthState } from "./health_state.ts";

function machine(rise = 2, fall = 3) {
  let clock = 1_000;
  const changes: [BackendState, BackendState][] = [];
  const state = new HealthState({
    rise,
    fall,
    now: () => clock,
    onStateChange: (from, to) => changes.push([from, to]),
  });
  return { state, changes, advance: (ms: number) => clock += ms };
}

function results(state: HealthState, pattern: string) {
  for (const mark of pattern) state.recordCheck(mark === "+", mark === "+" ? undefined : "refused");
}

Deno.test("health starts unknown, takes traffic, and the first result settles it", () => {
  const up = machine();
  assert.equal(up.state.state, "unknown");
  assert.ok(up.state.available);
  results(up.state, "+");
  assert.equal(up.state.state, "up");

  const down = machine();
  results(down.state, "-");
  assert.equal(down.state.state, "down");
  assert.ok(!down.state.available);
  assert.deepEqual(down.changes, [["unknown", "down"]]);
});

Deno.test("health marks a backend down after 3 consecutive failed checks, not before", () => {
  const { state, changes } = machine(2, 3);
  results(state, "+--");
  assert.equal(state.state, "up");
  results(state, "-");
  assert.equal(state.state, "down");
  assert.deepEqual(changes, [["unknown", "up"], ["up", "down"]]);
});

Deno.test("health brings a down backend up after rise consecutive successes", () => {
  const { state, changes } = machine(2, 3);
  results(state, "-+");
  assert.equal(state.state, "down");
  results(state, "+");
  assert.equal(state.state, "up");
  assert.deepEqual(changes, [["unknown", "down"], ["down", "up"]]);
});

Deno.test("health resets the opposite counter on every result, so scattered failures never add up", () => {
  const { state } = machine(2, 3);
  results(state, "+--+--+--+--+");
  assert.equal(state.state, "up");
  assert.deepEqual(state.streak, { successes: 1, failures: 0 });
  results(state, "-+-+-+-+");
  assert.equal(state.state, "up");
  results(state, "---+");
  assert.equal(state.state, "down");
  results(state, "-+-+-+-");
  assert.equal(state.state, "down");
});

Deno.test("health reports only transitions, never a result that keeps the state", () => {
  const { state, changes } = machine(2, 3);
  results(state, "+++++---------------++++++");
  assert.deepEqual(changes, [["unknown", "up"], ["up", "down"], ["down", "up"]]);
});

Deno.test("health keeps the last check's result and time from the injected clock", () => {
  const { state, advance } = machine();
  assert.equal(state.lastCheck, undefined);
  advance(500);
  state.recordCheck(false, "connection refused");
  assert.deepEqual(state.lastCheck, { ok: false, at: 1_500, detail: "connection refused" });
  assert.equal(state.since, 1_500);
  advance(250);
  state.recordCheck(true);
  assert.deepEqual(state.lastCheck, { ok: true, at: 1_750, detail: undefined });
  assert.equal(state.since, 1_500, "a result that changes nothing keeps the time of the change");
});

Deno.test("health counts failed connects against the backend, but never a successful one for it", () => {
  const { state } = machine(2, 3);
  results(state, "+");
  state.recordFailedConnect();
  state.recordFailedConnect();
  assert.equal(state.state, "up");
  state.recordFailedConnect();
  assert.equal(state.state, "down");
  assert.equal(state.lastCheck?.ok, true, "failed connects are not checks");
});

Deno.test("health drain and disable take a backend out while its health goes on being tracked", () => {
  const { state, changes } = machine(2, 3);
  results(state, "+");
  state.drain();
  assert.equal(state.state, "draining");
  assert.ok(!state.available);
  results(state, "---");
  assert.equal(state.health, "down");
  assert.equal(state.state, "draining", "health changes under an admin state are not reported");
  state.disable();
  assert.equal(state.state, "disabled");
  results(state, "++");
  state.enable();
  assert.equal(state.state, "up");
  assert.ok(state.available);
  assert.deepEqual(changes, [
    ["unknown", "up"],
    ["up", "draining"],
    ["draining", "disabled"],
    ["disabled", "up"],
  ]);
});

Deno.test("health enable on a down backend reports the way back to down", () => {
  const { state, changes } = machine();
  state.disable();
  results(state, "-");
  state.enable();
  assert.deepEqual(changes.at(-1), ["disabled", "down"]);
  state.enable();
  assert.equal(changes.length, 2, "enabling twice reports nothing the second time");
});

Deno.test("health refuses a rise or fall below one", () => {
  assert.throws(() => new HealthState({ rise: 0, fall: 3 }), /rise must be a positive integer/);
  assert.throws(() => new HealthState({ rise: 2, fall: 1.5 }), /fall must be a positive integer/);
});
