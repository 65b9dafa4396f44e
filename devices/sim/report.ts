/** The sim's final report: one JSON object (the last line on stdout) and a readable summary. */
import type { AuditResult } from "./audit.ts";
import type { FleetSnapshot } from "./fleet.ts";
import { formatCounts, formatDuration, number } from "./progress.ts";

export interface SimReport {
  /** True only when every device connected, none was refused, everything was acked and stored. */
  ok: boolean;
  /** Why `ok` is false, one sentence each. */
  problems: string[];
  devices: number;
  connected: number;
  /** Devices that connected at least once during the run. */
  ever_connected: number;
  rate_per_device: number;
  target: string;
  connect_ms: number;
  sending_ms: number;
  generated: number;
  sent: number;
  resent: number;
  acked: number;
  nacked: Record<string, number>;
  dropped: Record<string, number>;
  unacked_at_end: number;
  drained: boolean;
  acked_per_s: number;
  reconnects: number;
  failed_devices: number;
  failures: Record<string, number>;
  audit: AuditResult;
}

export interface ReportInput {
  snapshot: FleetSnapshot;
  audit: AuditResult;
  rate: number;
  target: string;
  connectMs: number;
  sendingMs: number;
  drained: boolean;
  failures: Record<string, number>;
}

/** Everything that keeps a run from being OK: a run where devices could not connect is not. */
function findProblems(s: FleetSnapshot, audit: AuditResult, drained: boolean): string[] {
  const problems: string[] = [];
  if (s.everConnected < s.devices) {
    problems.push(
      `${number(s.devices - s.everConnected)} of ${number(s.devices)} devices never connected`,
    );
  }
  if (s.failed > 0) problems.push(`${number(s.failed)} devices were refused`);
  if (s.generated > 0 && s.acked === 0) problems.push("no reading was acked");
  if (!drained || s.buffered > 0) {
    problems.push(`${number(s.buffered)} readings unacked at the end`);
  }
  if (audit.lost_acked > 0) problems.push(`${number(audit.lost_acked)} acked readings not stored`);
  if (audit.duplicates > 0) problems.push(`${number(audit.duplicates)} readings stored twice`);
  return problems;
}

export function buildReport(input: ReportInput): SimReport {
  const { snapshot: s, audit } = input;
  const problems = findProblems(s, audit, input.drained);
  return {
    ok: problems.length === 0,
    problems,
    devices: s.devices,
    connected: s.connected,
    ever_connected: s.everConnected,
    rate_per_device: input.rate,
    target: input.target,
    connect_ms: input.connectMs,
    sending_ms: input.sendingMs,
    generated: s.generated,
    sent: s.sent,
    resent: s.resent,
    acked: s.acked,
    nacked: s.nacked,
    dropped: s.dropped,
    unacked_at_end: s.buffered,
    drained: input.drained,
    acked_per_s: input.sendingMs > 0 ? Math.round((s.acked * 1000) / input.sendingMs) : 0,
    reconnects: Math.max(0, s.connects - s.started),
    failed_devices: s.failed,
    failures: input.failures,
    audit,
  };
}

export function formatSummary(r: SimReport): string {
  const a = r.audit;
  const lines = [
    `fleetmon sim: ${number(r.devices)} devices at ${r.rate_per_device}/s each → ${r.target}`,
    `  connected   ${number(r.connected)} in ${formatDuration(r.connect_ms)}; ${
      number(r.reconnects)
    } reconnects; ${number(r.failed_devices)} refused`,
    `  readings    ${number(r.generated)} generated, ${number(r.sent)} sent (${
      number(r.resent)
    } resends), ${number(r.acked)} acked in ${formatDuration(r.sending_ms)} (${
      number(r.acked_per_s)
    }/s)`,
    `  nacked      ${formatCounts(r.nacked)}`,
    `  dropped     ${formatCounts(r.dropped)}`,
    `  unacked     ${number(r.unacked_at_end)} at the end${r.drained ? "" : " (drain timed out)"}`,
    `  audit       ${number(a.checked)} acked readings looked up in ${a.ms} ms: ${
      number(a.found)
    } found, lost_acked ${a.lost_acked}, duplicates ${a.duplicates}`,
    r.ok
      ? `  result      OK: every acked reading is stored exactly once; all ${
        number(r.devices)
      } devices connected, every reading acked`
      : `  result      FAILED: ${r.problems.join("; ")}${
        a.lost_examples.length ? `; e.g. ${a.lost_examples.join(", ")}` : ""
      }`,
  ];
  for (const [message, count] of Object.entries(r.failures)) {
    lines.push(`  refused     ${number(count)} × ${message}`);
  }
  return lines.join("\n");
}
