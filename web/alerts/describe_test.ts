import assert from "node:assert/strict";
import { formatMetric } from "../views/format.ts";
import { describeValue } from "./describe.ts";
import type { AlertRule } from "./model.ts";
import { buildPayload, emailText } from "./notification.ts";

Deno.test("an alert's value carries its metric's unit, by the device page's formatter", () => {
  const bytes = { kind: "threshold", metric: "mem_used_bytes", op: ">", value: 7e9 } as const;
  assert.equal(describeValue(bytes, 8e9), "7.45 GiB");
  assert.equal(describeValue(bytes, 8e9), formatMetric("mem_used_bytes", 8e9));
  const ratio = { kind: "threshold", metric: "cpu_ratio", op: ">", value: 0.9 } as const;
  assert.equal(describeValue(ratio, 0.95), "95 %");
  const temp = { kind: "rate", metric: "temp_c", op: ">", value: 1 } as const;
  assert.equal(describeValue(temp, 2.5), "2.5 °C/s");
  assert.equal(describeValue({ kind: "offline", afterMs: 60_000 }, 75), "75 s silent");
  const plain = { kind: "threshold", metric: "queue", op: ">", value: 1 } as const;
  assert.equal(describeValue(plain, 12), "12");
  assert.equal(describeValue(plain, undefined), "");
});

Deno.test("the webhook payload and the e-mail say the value with its unit", () => {
  const rule = {
    _id: "r1",
    name: "Memory high",
    severity: "critical",
    enabled: true,
    scope: { kind: "all" },
    condition: { kind: "threshold", metric: "mem_used_bytes", op: ">", value: 7e9 },
    forMs: 0,
    webhooks: [],
    emails: [],
  } as unknown as AlertRule;
  const at = new Date("2026-12-02T10:00:00Z");
  const payload = buildPayload("e1", "firing", rule, { device: "d1", value: 8e9, firedAt: at }, at);
  assert.equal(payload.value, 8e9, "the number stays, for machines");
  assert.equal(payload.valueText, "7.45 GiB");
  assert.match(emailText(payload), /^Value: +7\.45 GiB$/m);
});
