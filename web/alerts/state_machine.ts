/**
 * One alert's life: ok → pending → firing → ok (resolved), after Prometheus and Grafana. Pure:
 * the caller passes the verdict and the clock. Only changes of state are reported, and only
 * `firing` and `resolved` are events that notify and count in `transitions`.
 */
import type { AlertInstance } from "./model.ts";
import type { Verdict } from "./conditions.ts";

export type AlertEvent = "firing" | "resolved";

export interface Step {
  next: AlertInstance;
  /** Set when the state changed. */
  changed: boolean;
  event?: AlertEvent;
}

export function newInstance(rule: string, device: string, now: number): AlertInstance {
  return {
    _id: `${rule}|${device}`,
    rule,
    device,
    state: "ok",
    since: new Date(now),
    transitions: 0,
  };
}

export function isActive(instance: AlertInstance): boolean {
  return instance.state !== "ok";
}

/** `verdict` undefined (cannot tell) keeps the state; `forMs` 0 fires at once. */
export function step(
  instance: AlertInstance,
  verdict: Verdict | undefined,
  forMs: number,
  now: number,
): Step {
  if (!verdict) return { next: instance, changed: false };
  const at = new Date(now);
  switch (instance.state) {
    case "ok":
      if (!verdict.active) return { next: instance, changed: false };
      if (forMs <= 0) return fire(instance, verdict.value, at);
      return {
        next: { ...instance, state: "pending", since: at, value: verdict.value },
        changed: true,
      };
    case "pending":
      if (!verdict.active) {
        return {
          next: { ...instance, state: "ok", since: at, value: verdict.value },
          changed: true,
        };
      }
      if (now - instance.since.getTime() >= forMs) return fire(instance, verdict.value, at);
      return { next: instance, changed: false };
    case "firing":
      if (verdict.active) return { next: instance, changed: false };
      return {
        next: {
          ...instance,
          state: "ok",
          since: at,
          resolvedAt: at,
          value: verdict.value,
          transitions: instance.transitions + 1,
        },
        changed: true,
        event: "resolved",
      };
  }
}

function fire(instance: AlertInstance, value: number, at: Date): Step {
  const { resolvedAt: _resolved, ...rest } = instance;
  return {
    next: {
      ...rest,
      state: "firing",
      since: at,
      firedAt: at,
      value,
      transitions: instance.transitions + 1,
    },
    changed: true,
    event: "firing",
  };
}

/** Removes a rule's alert on a device that left its scope or a rule that was deleted. */
export function dropped(instance: AlertInstance, now: number): Step {
  if (instance.state !== "firing") return { next: { ...instance, state: "ok" }, changed: true };
  return step(instance, { active: false, value: instance.value ?? 0 }, 0, now);
}
