/** The real HostSource: files under /proc and /sys, and statfs(2) through node:fs. */
import { statfsSync } from "node:fs";
import type { FsUsage, HostSource } from "./collector.ts";

export function createHostSource(procRoot = "/proc", sysRoot = "/sys"): HostSource {
  return {
    proc: (name) => Deno.readTextFileSync(`${procRoot}/${name}`),
    blockDevices: () => {
      const names = new Set<string>();
      for (const entry of Deno.readDirSync(`${sysRoot}/block`)) names.add(entry.name);
      return names;
    },
    statfs: (path): FsUsage => {
      const s = statfsSync(path);
      return {
        sizeBytes: s.blocks * s.bsize,
        freeBytes: s.bfree * s.bsize,
        availBytes: s.bavail * s.bsize,
      };
    },
  };
}
