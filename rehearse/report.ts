/** The report's figures and text summary, from the scenarios' results. Pure. */
import type { Plan } from "./plan.ts";
import type { ScenarioResult } from "./scenario.ts";
import type { Mark, Sample } from "./timeline.ts";

export interface RunData {
  plan: Plan;
  quick: boolean;
  devices: number;
  rate: number;
  users: number;
  samples: Sample[];
  marks: Mark[];
  results: ScenarioResult[];
  /** The audit of every reading the fleet had acked, after the last scenario. */
  finalAudit?: FinalAudit;
}

export interface FinalAudit {
  checked: number;
  lost_acked: number;
  duplicates: number;
  ms: number;
}

export const DB_NOTE =
  "One FerretDB on db0 stands in for the three database VMs (db0, db1, db2): FerretDB cannot shard or replicate";

export interface Figures {
  ok: boolean;
  variant: "full" | "quick";
  devices: number;
  rate_per_device: number;
  users: number;
  database: string;
  lost_acked: number;
  duplicates: number;
  failed_web_requests: number;
  final_audit?: FinalAudit;
  scenarios: Record<string, Record<string, number | boolean | string>>;
}

export function scenarioKey(r: { id: number; name: string }): string {
  return `${r.id}-${r.name}`;
}

export function buildFigures(data: RunData): Figures {
  const scenarios: Figures["scenarios"] = {};
  let lost = 0;
  let duplicates = 0;
  let failedWeb = 0;
  for (const r of data.results) {
    scenarios[scenarioKey(r)] = { ok: r.ok, ...r.figures };
    lost += r.figures.lost_acked ?? 0;
    duplicates += r.figures.duplicates ?? 0;
    failedWeb += r.figures.web_failed ?? 0;
  }
  const final = data.finalAudit;
  return {
    ok: data.results.length > 0 && data.results.every((r) => r.ok) &&
      (!final || final.lost_acked + final.duplicates === 0),
    variant: data.quick ? "quick" : "full",
    devices: data.devices,
    rate_per_device: data.rate,
    users: data.users,
    database: DB_NOTE,
    // Each scenario audits what was acked during it; the final audit checks all of it again.
    lost_acked: Math.max(lost, final?.lost_acked ?? 0),
    duplicates: Math.max(duplicates, final?.duplicates ?? 0),
    failed_web_requests: failedWeb,
    ...final && { final_audit: final },
    scenarios,
  };
}

export function formatSummary(data: RunData, figures: Figures): string {
  const lines = [
    `fleetmon rehearsal (${figures.variant}): ${figures.ok ? "PASSED" : "FAILED"}`,
    `${data.devices} devices at ${data.rate} readings/s each through lb(comm); ${data.users} signed-in users polling through lb(web)`,
    `VMs (network namespaces on one bridge, ${data.plan.subnet}): ${
      data.plan.vms.map((v) => `${v.name} ${v.ip}`).join(", ")
    }`,
    DB_NOTE + ".",
    `Audit over the whole run: ${figures.lost_acked} acked readings lost, ${figures.duplicates} duplicates; ${figures.failed_web_requests} failed web requests.`,
    data.finalAudit
      ? `Final audit of every acked reading: ${data.finalAudit.checked} checked, ${data.finalAudit.lost_acked} lost, ${data.finalAudit.duplicates} duplicates (${data.finalAudit.ms} ms).`
      : "No final audit (the run stopped before it).",
    "",
  ];
  for (const r of data.results) {
    lines.push(
      `${r.ok ? "PASS" : "FAIL"}  ${r.id}. ${r.title}  (${
        ((r.endedMs - r.startedMs) / 1000).toFixed(0)
      } s)`,
    );
    for (const c of r.checks) {
      lines.push(`      ${c.ok ? "ok  " : "FAIL"} ${c.what}${c.detail ? `: ${c.detail}` : ""}`);
    }
    if (r.error) lines.push(`      error: ${r.error}`);
    if (r.webErrors.length > 0) lines.push(`      last web errors: ${r.webErrors.join(" | ")}`);
    lines.push(
      `      figures: ${Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join(" ")}`,
      "",
    );
  }
  return lines.join("\n");
}
