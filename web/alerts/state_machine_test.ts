import assert from "node:assert/strict";
import { type DeviceMemory, judge } from "./conditions.ts";
import type { Condition } from "./model.ts";
import { conditionSchema } from "./model.ts";
import { newInstance, step } from "./state_machine.ts";

function device(metrics: Record<string, number>, extra: Partial<DeviceMemory> = {}): DeviceMemory {
  return {
    id: "d1",
    lastSeen: 0,
    ts: 0,
    metrics,
    metricSeenAt: new Map(),
    watchedSince: 0,
    ...extra,
  };
}

/** Runs a threshold rule over values one second apart; returns the state after each. */
function run(condition: Condition, forMs: number, values: number[]) {
  let instance = newInstance("r1", "d1", 0);
  const states: string[] = [];
  const events: string[] = [];
  values.forEach((v, i) => {
    const now = (i + 1) * 1000;
    const s = step(
      instance,
      judge(condition, device({ temp: v }), now, instance.state !== "ok"),
      forMs,
      now,
    );
    instance = s.next;
    states.push(instance.state);
    if (s.event) events.push(`${s.event}@${i}`);
  });
  return { states, events, instance };
}

const hot: Condition = { kind: "threshold", metric: "temp", op: ">", value: 80 };

Deno.test("a threshold alert waits out its `for` duration as pending, then fires", () => {
  const { states, events } = run(hot, 2000, [70, 85, 86, 87, 88]);
  assert.deepEqual(states, ["ok", "pending", "pending", "firing", "firing"]);
  assert.deepEqual(events, ["firing@3"]);
});

Deno.test("a pending alert whose value drops back is cancelled without any event", () => {
  const { states, events } = run(hot, 5000, [85, 86, 70, 71]);
  assert.deepEqual(states, ["pending", "pending", "ok", "ok"]);
  assert.deepEqual(events, []);
});

Deno.test("without `for` a threshold fires at once and resolves when the value falls back", () => {
  const { states, events, instance } = run(hot, 0, [85, 79, 81]);
  assert.deepEqual(states, ["firing", "ok", "firing"]);
  assert.deepEqual(events, ["firing@0", "resolved@1", "firing@2"]);
  assert.equal(instance.transitions, 3, "each event numbered once");
});

Deno.test("hysteresis: a firing alert resolves only once the value is past `clear`", () => {
  const withClear: Condition = { ...hot, clear: 75 } as Condition;
  const { states, events } = run(withClear, 0, [85, 79, 76, 80, 75, 79]);
  assert.deepEqual(states, ["firing", "firing", "firing", "firing", "ok", "ok"]);
  assert.deepEqual(events, ["firing@0", "resolved@4"]);
});

Deno.test("a `clear` level on the firing side of the threshold is refused", () => {
  const result = conditionSchema.safeParse({ ...hot, clear: 90 });
  assert.equal(result.success, false);
  assert.match(JSON.stringify(result.error?.issues), /resolved side of 80/);
});

Deno.test("rate of change compares the change per second between the last two readings", () => {
  const rising: Condition = { kind: "rate", metric: "temp", op: ">", value: 2 };
  const d = device({ temp: 30 }, { ts: 10_000, prev: { ts: 5_000, metrics: { temp: 10 } } });
  assert.deepEqual(judge(rising, d, 10_000, false), { active: true, value: 4 });
  assert.equal(judge(rising, device({ temp: 30 }), 0, false), undefined, "one reading: no rate");
});

Deno.test("offline fires after the device is silent for the window; never-seen devices are not judged", () => {
  const offline: Condition = { kind: "offline", afterMs: 60_000 };
  assert.deepEqual(judge(offline, device({}, { lastSeen: 0 }), 59_000, false), {
    active: false,
    value: 59,
  });
  assert.equal(judge(offline, device({}, { lastSeen: 0 }), 60_000, false)?.active, true);
  assert.equal(judge(offline, device({}, { lastSeen: undefined }), 1e9, false), undefined);
});

Deno.test("no data fires when a reporting device stops sending one metric", () => {
  const noTemp: Condition = { kind: "no_data", metric: "temp", afterMs: 30_000 };
  const d = device({ cpu: 1 }, { lastSeen: 40_000, metricSeenAt: new Map([["temp", 5_000]]) });
  assert.equal(judge(noTemp, d, 40_000, false)?.active, true);
  const fresh = device({ cpu: 1 }, { lastSeen: 40_000, watchedSince: 20_000 });
  assert.equal(judge(noTemp, fresh, 40_000, false)?.active, false, "window starts at watching");
});

Deno.test("a verdict of 'cannot tell' keeps the alert as it is", () => {
  const firing = run(hot, 0, [90]).instance;
  const s = step(firing, judge(hot, device({ cpu: 1 }), 5000, true), 0, 5000);
  assert.equal(s.changed, false);
  assert.equal(s.next.state, "firing");
});
