/**
 * The rehearsal's network: one namespace per VM, each with a veth whose other end sits on a bridge
 * in a switch namespace of its own. Nothing is made in the host's namespace, so the host's links,
 * addresses and routes are never touched; removing our namespaces removes every veth and the
 * bridge with them. Every command is `ip`, run as root.
 */
import type { Plan, Vm } from "./plan.ts";

export class IpError extends Error {
  override name = "IpError";
}

/** Runs `ip ARGS…`; throws with ip's own message when it fails. */
export async function ip(...args: string[]): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command("ip", {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!success) {
    throw new IpError(`Cannot run "ip ${args.join(" ")}": ${decoder.decode(stderr).trim()}`);
  }
  return decoder.decode(stdout);
}

/** The namespaces that exist now (`ip netns list`), names only. */
export async function listNamespaces(): Promise<string[]> {
  const out = await ip("netns", "list");
  return out.split("\n").map((line) => line.split(" ")[0]).filter(Boolean);
}

/** The host namespace's links, names only, for checking that a run left them as they were. */
export async function listHostLinks(): Promise<string[]> {
  const out = await ip("-o", "link", "show");
  return out.split("\n").map((line) => line.split(":")[1]?.trim().split("@")[0]).filter(Boolean)
    .sort();
}

/** Whether this process may make namespaces: root with `ip` at hand. */
export async function namespacesAvailable(): Promise<{ ok: boolean; why?: string }> {
  if (Deno.uid() !== 0) return { ok: false, why: "not running as root" };
  try {
    await ip("netns", "list");
    return { ok: true };
  } catch (error) {
    return { ok: false, why: (error as Error).message };
  }
}

/** Makes the switch and every VM of the plan. On failure, removes what it made and throws. */
export async function createNetwork(plan: Plan): Promise<void> {
  try {
    await ip("netns", "add", plan.switchNs);
    await ip("-n", plan.switchNs, "link", "set", "lo", "up");
    await ip("-n", plan.switchNs, "link", "add", plan.bridge, "type", "bridge");
    await ip("-n", plan.switchNs, "link", "set", plan.bridge, "up");
    for (const vm of plan.vms) await addVm(plan, vm);
  } catch (error) {
    await removeNetwork(plan.prefix);
    throw error;
  }
}

/** A namespace for `vm`, cabled to the switch, with its address and loopback up. */
export async function addVm(plan: Plan, vm: Vm): Promise<void> {
  await ip("netns", "add", vm.ns);
  await ip(
    "-n",
    plan.switchNs,
    "link",
    "add",
    vm.port,
    "type",
    "veth",
    "peer",
    "name",
    "eth0",
    "netns",
    vm.ns,
  );
  await ip("-n", plan.switchNs, "link", "set", vm.port, "master", plan.bridge, "up");
  await ip("-n", vm.ns, "link", "set", "lo", "up");
  await ip("-n", vm.ns, "addr", "add", `${vm.ip}/${plan.prefixLength}`, "dev", "eth0");
  await ip("-n", vm.ns, "link", "set", "eth0", "up");
}

/** Pulls (false) or plugs back (true) a VM's cable: its port on the switch goes down or up. */
export async function setCable(plan: Plan, vm: Vm, plugged: boolean): Promise<void> {
  await ip("-n", plan.switchNs, "link", "set", vm.port, plugged ? "up" : "down");
}

/** Makes `to` unreachable from `from` (a route), or reachable again: a partition by routes. */
export async function setRoute(from: Vm, to: Vm, reachable: boolean): Promise<void> {
  if (reachable) await ip("-n", from.ns, "route", "del", "unreachable", `${to.ip}/32`);
  else await ip("-n", from.ns, "route", "add", "unreachable", `${to.ip}/32`);
}

/** The processes in a namespace (`ip netns pids`). */
export async function namespacePids(ns: string): Promise<number[]> {
  try {
    return (await ip("netns", "pids", ns)).split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Removes every namespace whose name starts with `prefix`: first kills (SIGCONT, then SIGKILL)
 * whatever still runs in them, then deletes them, which deletes their veths and the bridge.
 * Bounded: gives up on a namespace after 5 s of processes that will not die.
 */
export async function removeNetwork(prefix: string): Promise<string[]> {
  if (!/^fmr-[0-9a-f]{4}-$/.test(prefix)) {
    throw new TypeError(`Refusing to remove namespaces by prefix "${prefix}": not one of ours`);
  }
  const ours = (await listNamespaces()).filter((ns) => ns.startsWith(prefix));
  const problems: string[] = [];
  for (const ns of ours) {
    const deadline = Date.now() + 5_000;
    for (let pids = await namespacePids(ns); pids.length > 0; pids = await namespacePids(ns)) {
      if (Date.now() > deadline) {
        problems.push(`${ns}: processes ${pids.join(", ")} would not die`);
        break;
      }
      for (const pid of pids) {
        for (const signal of ["SIGCONT", "SIGKILL"] as const) {
          try {
            Deno.kill(pid, signal);
          } catch {
            // gone already
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      await ip("netns", "del", ns);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}
