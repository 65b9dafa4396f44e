/**
 * The progress line: one line redrawn in place on a terminal, plain lines every few seconds
 * otherwise. Pure formatting, plus a small display that keeps log lines and the live line
 * from garbling each other.
 */
import type { FleetSnapshot } from "./fleet.ts";

export const number = (n: number) => Math.round(n).toLocaleString("en-US");

export function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  return entries.length === 0 ? "0" : entries.map(([k, n]) => `${k}:${number(n)}`).join(" ");
}

/** One line of progress; the rate is acked readings per second since the previous snapshot. */
export function formatProgress(
  now: FleetSnapshot,
  previous: FleetSnapshot | undefined,
  elapsedMs: number,
  sinceMs: number,
): string {
  const rate = previous && sinceMs > 0 ? ((now.acked - previous.acked) * 1000) / sinceMs : 0;
  const parts = [
    `${formatDuration(elapsedMs)}`,
    `connected ${number(now.connected)}/${number(now.devices)}`,
    `sent ${number(now.sent)}`,
    `acked ${number(now.acked)}`,
    `nacked ${formatCounts(now.nacked)}`,
    `in flight ${number(now.inFlight)}`,
    `${number(rate)} readings/s`,
  ];
  const dropped = formatCounts(now.dropped);
  if (dropped !== "0") parts.push(`dropped ${dropped}`);
  if (now.failed > 0) parts.push(`failed ${number(now.failed)}`);
  return parts.join(" | ");
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export interface ProgressDisplay {
  /** Shows the progress line: redrawn on a terminal, printed as a line otherwise. */
  show(line: string): void;
  /** Writes a log line without leaving a half-drawn progress line around it. */
  log(write: () => void): void;
  /** Ends the live line, if any. */
  finish(): void;
}

export function createProgressDisplay(
  isTerminal: boolean,
  writeErr: (text: string) => void,
): ProgressDisplay {
  let live = "";
  return {
    show(line) {
      if (isTerminal) {
        live = line;
        writeErr(`\r\x1b[2K${line}`);
      } else writeErr(`${line}\n`);
    },
    log(write) {
      if (isTerminal && live) writeErr("\r\x1b[2K");
      write();
      if (isTerminal && live) writeErr(live);
    },
    finish() {
      if (isTerminal && live) writeErr("\n");
      live = "";
    },
  };
}
