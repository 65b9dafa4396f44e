/** What a soak compares before and after: a process's descriptors, memory and epoll registrations. */

export interface ProcessFigures {
  /** Open file descriptors. */
  fds: number;
  /** Resident memory, in MiB. */
  rssMiB: number;
  /** Descriptors registered with any of its epoll instances (`tfd:` lines in fdinfo). */
  registrations: number;
}

export function processFigures(pid: number): ProcessFigures {
  let fds = 0;
  let registrations = 0;
  for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
    fds++;
    let target = "";
    try {
      target = Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`);
    } catch {
      continue; // closed meanwhile
    }
    if (target !== "anon_inode:[eventpoll]") continue;
    try {
      const info = Deno.readTextFileSync(`/proc/${pid}/fdinfo/${entry.name}`);
      registrations += info.split("\n").filter((line) => line.startsWith("tfd:")).length;
    } catch {
      // closed meanwhile
    }
  }
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
  return { fds, rssMiB: Math.round(rssKiB / 102.4) / 10, registrations };
}
