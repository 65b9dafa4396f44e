/**
 * A certificate reload opens a second listener on the port (reusePort) and closes the first. Linux
 * spreads new connections over both until then, and by default resets the ones still queued on
 * the closed listener (accepted by the kernel, not yet by web): clients see "connection reset" in
 * the instant of the switch. With net.ipv4.tcp_migrate_req=1 (Linux 5.14+) the kernel moves them to
 * the new listener instead, so a reload loses no connection. deploy/ sets it on the web VMs.
 */

export const MIGRATE_SYSCTL = "/proc/sys/net/ipv4/tcp_migrate_req";

/** Why a reload may reset connections, or undefined when queued ones migrate. Pure. */
export function handoverRisk(sysctlValue: string | undefined): string | undefined {
  if (sysctlValue === undefined) {
    return `${MIGRATE_SYSCTL} cannot be read: connections queued on the old listener ` +
      "may be reset at the switch";
  }
  if (sysctlValue.trim() === "1") return undefined;
  return "net.ipv4.tcp_migrate_req is " + JSON.stringify(sysctlValue.trim()) +
    ": connections queued on the old listener are reset at the switch; set it to 1 " +
    "(deploy/files/web/etc/sysctl.d/60-fleetmon-web.conf)";
}

/** Reads the setting in this process's network namespace; undefined where there is none. */
export function readMigrateSysctl(): string | undefined {
  try {
    return Deno.readTextFileSync(MIGRATE_SYSCTL);
  } catch {
    return undefined;
  }
}
