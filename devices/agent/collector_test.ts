import assert from "node:assert/strict";
import { type FsUsage, HostCollector, type HostSource, mountLabel } from "./collector.ts";
import { createHostSource } from "./host_source.ts";

function sampleSource(files: Record<string, string>, fs: Record<string, FsUsage>): HostSource {
  return {
    proc: (name) => {
      if (!(name in files)) throw new Error(`No such file: /proc/${name}`);
      return files[name];
    },
    blockDevices: () => new Set(["vda"]),
    statfs: (path) => {
      if (!(path in fs)) throw new Error(`No such mount: ${path}`);
      return fs[path];
    },
  };
}

const netDev = (rx: number, tx: number) =>
  `Inter-| x\n face | y\n  eth0: ${rx} 10 0 0 0 0 0 0 ${tx} 20 0 0 0 0 0 0\n`;
const diskstats = (readSectors: number, ioMs: number) =>
  ` 254 0 vda 100 0 ${readSectors} 0 50 0 10 0 0 ${ioMs} 0 0 0 0 0 0 0\n`;

Deno.test("the second sample adds CPU shares and rates per second", () => {
  const files: Record<string, string> = {
    stat: "cpu  100 0 100 800 0 0 0 0 0 0\n",
    meminfo: "MemTotal: 1000 kB\nMemAvailable: 250 kB\n",
    loadavg: "1.50 1.00 0.50 2/100 42\n",
    uptime: "100.5 200\n",
    diskstats: diskstats(0, 0),
    "net/dev": netDev(1_000, 500),
  };
  const collector = new HostCollector(
    sampleSource(files, { "/": { sizeBytes: 1000, freeBytes: 400, availBytes: 300 } }),
    ["/"],
  );
  const first = collector.collect(10_000);
  assert.deepEqual(first.problems, []);
  assert.equal(first.metrics.cpu, undefined, "no shares from one sample");
  assert.equal(first.metrics.net_rx_bytes_per_s, undefined);
  assert.equal(first.metrics.mem_used_bytes, 750 * 1024);
  assert.equal(first.metrics.fs_root_used_ratio, 0.6667, "used / (used + available), like df");

  files.stat = "cpu  130 0 120 850 0 0 0 0 0 0\n";
  files.diskstats = diskstats(4_000, 500);
  files["net/dev"] = netDev(3_000, 900);
  const second = collector.collect(12_000);
  assert.equal(second.metrics.cpu, 0.5);
  assert.equal(second.metrics.net_rx_bytes_per_s, 1_000);
  assert.equal(second.metrics.net_tx_bytes_per_s, 200);
  assert.equal(second.metrics.net_rx_bytes, 3_000);
  assert.equal(second.metrics.disk_read_bytes_per_s, 4_000 * 512 / 2);
  assert.equal(second.metrics.disk_busy_ratio, 0.25);
  assert.equal(second.metrics.load1, 1.5);
  assert.equal(second.metrics.uptime_s, 100.5);

  files["net/dev"] = netDev(10, 10);
  const third = collector.collect(14_000);
  assert.equal(third.metrics.net_rx_bytes_per_s, undefined, "a counter reset gives no rate");
  assert.equal(third.metrics.net_rx_bytes, 10);
});

Deno.test("a source that cannot be read is reported and the rest still collected", () => {
  const collector = new HostCollector(
    sampleSource({ loadavg: "0.1 0.2 0.3 1/2 3\n" }, {}),
    ["/data"],
  );
  const { metrics, problems } = collector.collect(1);
  assert.deepEqual(Object.keys(metrics).sort(), [
    "load1",
    "load15",
    "load5",
    "procs_running",
    "procs_total",
  ]);
  assert.equal(problems.length, 6);
  assert.ok(problems.includes("filesystem /data: No such mount: /data"), problems.join("; "));
});

Deno.test("mount points become metric-safe labels", () => {
  assert.equal(mountLabel("/"), "root");
  assert.equal(mountLabel("/var/lib/docker"), "var_lib_docker");
  assert.equal(mountLabel("/mnt/my disk/"), "mnt_my_disk");
});

Deno.test("on this Linux host, every metric group is collected", async () => {
  const collector = new HostCollector(createHostSource(), ["/"]);
  collector.collect(Date.now());
  await new Promise((resolve) => setTimeout(resolve, 100));
  const { metrics, problems } = collector.collect(Date.now());
  assert.deepEqual(problems, []);
  for (
    const name of [
      "cpu",
      "mem_used_bytes",
      "load1",
      "uptime_s",
      "disk_read_bytes_per_s",
      "net_rx_bytes_per_s",
      "fs_root_used_ratio",
    ]
  ) {
    assert.ok(Number.isFinite(metrics[name]), `${name} = ${metrics[name]}`);
  }
  assert.ok(metrics.cpu >= 0 && metrics.cpu <= 1);
  assert.ok(metrics.mem_total_bytes > 0);
  assert.ok(Object.keys(metrics).length <= 64);
});
