/**
 * Turns samples of /proc and the filesystems into one reading's metrics: levels as they are,
 * counters as totals and as rates since the previous sample. Pure apart from the injected
 * source; a source that fails (a file missing in a container) is reported and skipped.
 */
import { parseDiskstats } from "./diskstats.ts";
import { parseLoadavg, parseUptime } from "./loadavg.ts";
import { memoryMetrics, parseMeminfo } from "./meminfo.ts";
import { parseNetDev } from "./net_dev.ts";
import { type CpuTimes, cpuUsage, parseCpuTimes, round } from "./proc_stat.ts";

export interface FsUsage {
  sizeBytes: number;
  freeBytes: number;
  availBytes: number;
}

export interface HostSource {
  /** A file under /proc, e.g. "stat" or "net/dev". */
  proc(name: string): string;
  /** Names of whole block devices (/sys/block). */
  blockDevices(): Set<string>;
  statfs(path: string): FsUsage;
}

export interface Collected {
  metrics: Record<string, number>;
  /** What could not be read this time, one sentence each. */
  problems: string[];
}

interface Previous {
  at: number;
  cpu?: CpuTimes;
  counters: Map<string, number>;
}

export class HostCollector {
  readonly #source: HostSource;
  readonly #mounts: string[];
  #previous: Previous | undefined;

  constructor(source: HostSource, mounts: string[]) {
    this.#source = source;
    this.#mounts = mounts;
  }

  /** One sample; rates and CPU shares appear from the second sample on. */
  collect(now: number): Collected {
    const metrics: Record<string, number> = {};
    const problems: string[] = [];
    const counters = new Map<string, number>();
    const previous = this.#previous;
    const elapsedS = previous ? (now - previous.at) / 1000 : 0;
    const attempt = (what: string, read: () => void) => {
      try {
        read();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message}`);
      }
    };
    let cpu: CpuTimes | undefined;
    attempt("cpu", () => {
      cpu = parseCpuTimes(this.#source.proc("stat"));
      if (previous?.cpu) Object.assign(metrics, cpuUsage(previous.cpu, cpu));
    });
    attempt(
      "memory",
      () => Object.assign(metrics, memoryMetrics(parseMeminfo(this.#source.proc("meminfo")))),
    );
    attempt("load", () => Object.assign(metrics, parseLoadavg(this.#source.proc("loadavg"))));
    attempt("uptime", () => metrics.uptime_s = parseUptime(this.#source.proc("uptime")));
    attempt("disk I/O", () => {
      const disk = parseDiskstats(this.#source.proc("diskstats"), this.#source.blockDevices());
      counters.set("disk_read_bytes", disk.readBytes);
      counters.set("disk_write_bytes", disk.writeBytes);
      counters.set("disk_reads", disk.reads);
      counters.set("disk_writes", disk.writes);
      counters.set("disk_io_ms", disk.ioMs);
    });
    attempt("network", () => {
      const net = parseNetDev(this.#source.proc("net/dev"));
      metrics.net_rx_bytes = net.rxBytes;
      metrics.net_tx_bytes = net.txBytes;
      metrics.net_errors = net.rxErrors + net.txErrors;
      metrics.net_dropped = net.rxDropped + net.txDropped;
      counters.set("net_rx_bytes", net.rxBytes);
      counters.set("net_tx_bytes", net.txBytes);
      counters.set("net_rx_packets", net.rxPackets);
      counters.set("net_tx_packets", net.txPackets);
    });
    for (const mount of this.#mounts) {
      attempt(
        `filesystem ${mount}`,
        () => Object.assign(metrics, fsMetrics(mount, this.#source.statfs(mount))),
      );
    }
    if (previous && elapsedS > 0) {
      for (const [name, value] of counters) {
        const before = previous.counters.get(name);
        // A counter that went down wrapped or was reset: no rate this time.
        if (before === undefined || value < before) continue;
        if (name === "disk_io_ms") {
          metrics.disk_busy_ratio = round(Math.min(1, (value - before) / 1000 / elapsedS));
        } else metrics[`${name}_per_s`] = round((value - before) / elapsedS, 1);
      }
    }
    this.#previous = { at: now, cpu, counters };
    return { metrics, problems };
  }
}

/** "/" is "root"; "/var/lib" is "var_lib". */
export function mountLabel(path: string): string {
  const label = path.replace(/^\/+|\/+$/g, "").replace(/[^A-Za-z0-9]+/g, "_");
  return label === "" ? "root" : label.slice(0, 40);
}

function fsMetrics(mount: string, usage: FsUsage): Record<string, number> {
  const label = mountLabel(mount);
  const used = usage.sizeBytes - usage.freeBytes;
  const usable = used + usage.availBytes;
  return {
    [`fs_${label}_size_bytes`]: usage.sizeBytes,
    [`fs_${label}_used_bytes`]: used,
    [`fs_${label}_avail_bytes`]: usage.availBytes,
    [`fs_${label}_used_ratio`]: usable > 0 ? round(used / usable) : 0,
  };
}
