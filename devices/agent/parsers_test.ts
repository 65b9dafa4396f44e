import assert from "node:assert/strict";
import { parseDiskstats } from "./diskstats.ts";
import { parseLoadavg, parseUptime } from "./loadavg.ts";
import { memoryMetrics, parseMeminfo } from "./meminfo.ts";
import { parseNetDev } from "./net_dev.ts";
import { cpuUsage, parseCpuTimes } from "./proc_stat.ts";

const STAT_BEFORE = `cpu  39694 0 11221 323873 1918 0 263 251 0 0
cpu0 17951 0 4485 165950 105 0 56 122 0 0
intr 1234 0 0
ctxt 99
`;
const STAT_AFTER = `cpu  39744 10 11241 324003 1928 0 273 261 0 0
cpu0 17951 0 4485 165950 105 0 56 122 0 0
`;

Deno.test("cpu shares come from the deltas between two /proc/stat samples", () => {
  const before = parseCpuTimes(STAT_BEFORE);
  assert.deepEqual(before, {
    user: 39694,
    nice: 0,
    system: 11221,
    idle: 323873,
    iowait: 1918,
    irq: 0,
    softirq: 263,
    steal: 251,
  });
  // Deltas: user 50, nice 10, system 20, idle 130, iowait 10, softirq 10, steal 10: total 240.
  assert.deepEqual(cpuUsage(before, parseCpuTimes(STAT_AFTER)), {
    cpu: 0.4167,
    cpu_user: 0.25,
    cpu_system: 0.125,
    cpu_iowait: 0.0417,
    cpu_steal: 0.0417,
  });
  assert.deepEqual(cpuUsage(before, before), {}, "no time passed: no shares");
  assert.throws(() => parseCpuTimes("intr 1\n"), /no "cpu" line/);
  assert.throws(() => parseCpuTimes("cpu  a b c d\n"), /unexpected cpu line/);
});

Deno.test("old kernels with four cpu columns still parse", () => {
  assert.equal(parseCpuTimes("cpu 1 2 3 4\n").iowait, 0);
});

const MEMINFO = `MemTotal:       24684092 kB
MemFree:        23233592 kB
MemAvailable:   23463684 kB
Buffers:            2572 kB
Cached:           331844 kB
Active(anon):       1560 kB
SwapTotal:       2097148 kB
SwapFree:        1048574 kB
HugePages_Total:       0
`;

Deno.test("memory metrics are bytes, with used = total - available", () => {
  const info = parseMeminfo(MEMINFO);
  assert.equal(info.get("Active(anon)"), 1560 * 1024);
  assert.equal(info.get("HugePages_Total"), 0);
  assert.deepEqual(memoryMetrics(info), {
    mem_total_bytes: 24684092 * 1024,
    mem_available_bytes: 23463684 * 1024,
    mem_used_bytes: (24684092 - 23463684) * 1024,
    mem_used_ratio: 0.0494,
    swap_total_bytes: 2097148 * 1024,
    swap_used_bytes: 1048574 * 1024,
  });
  const old = memoryMetrics(parseMeminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nCached: 300 kB\n"));
  assert.equal(old.mem_available_bytes, 400 * 1024, "before MemAvailable: free + cache");
  assert.throws(() => memoryMetrics(parseMeminfo("MemFree: 1 kB\n")), /no MemTotal/);
});

Deno.test("load averages and uptime parse", () => {
  assert.deepEqual(parseLoadavg("0.10 0.14 0.17 1/84 12333\n"), {
    load1: 0.1,
    load5: 0.14,
    load15: 0.17,
    procs_running: 1,
    procs_total: 84,
  });
  assert.equal(parseUptime("1895.06 3238.73\n"), 1895.06);
  assert.throws(() => parseLoadavg("garbage"), /unexpected "garbage"/);
});

const DISKSTATS = `   7       0 loop0 9 0 9 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 254       0 vda 159141 30229 5563850 99799 35740 49563 5780736 23793 0 27992 125019 10532 48 1239568 1154 4905 272
 254       1 vda1 159000 30229 5563000 99799 35740 49563 5780000 23793 0 27992 125019 10532 48 1239568 1154 4905 272
 253       0 zram0 50 0 50 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 259       0 nvme0n1 10 0 100 0 20 0 200 0 0 7 0
 253       1 dm-0 99 0 99 0 99 0 99 0 0 99 0 0 0 0 0 0 0
`;

Deno.test("disk counters sum whole physical disks only", () => {
  const wholeDisks = new Set(["loop0", "vda", "zram0", "nvme0n1", "dm-0"]);
  assert.deepEqual(parseDiskstats(DISKSTATS, wholeDisks), {
    reads: 159141 + 10,
    readBytes: (5563850 + 100) * 512,
    writes: 35740 + 20,
    writeBytes: (5780736 + 200) * 512,
    ioMs: 27992 + 7,
  });
  const guessed = parseDiskstats(DISKSTATS);
  assert.equal(guessed.reads, 159141, "without /sys/block, names ending in a digit are skipped");
});

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 440731826   80727    0    0    0     0          0         0 440731826   80727    0    0    0     0       0          0
  eth0: 414431953   16043    2    1    0     0          0         0   990970   10568    3    4    0     0       0          0
  wlan0:1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0
`;

Deno.test("network counters sum every interface but loopback", () => {
  assert.deepEqual(parseNetDev(NET_DEV), {
    rxBytes: 414431953 + 1000,
    rxPackets: 16043 + 10,
    rxErrors: 2,
    rxDropped: 1,
    txBytes: 990970 + 2000,
    txPackets: 10568 + 20,
    txErrors: 3,
    txDropped: 4,
    interfaces: 2,
  });
});
