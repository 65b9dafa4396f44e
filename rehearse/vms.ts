/**
 * A VM of the rehearsal: its folder (the built artifact in opt/fleetmon, its config in
 * etc/fleetmon, as deploy/systemd/ lays them out) and its process, started in its namespace with
 * its unit's command line. Kill, freeze and restart act on that process.
 */
import { type Service, startService } from "@fleetmon/shared/supervisor";
import type { Vm } from "./plan.ts";
import { parseEnvFile, parseUnit, vmCommand } from "./unit.ts";
import type { VmFiles } from "./vm_files.ts";

const ROOT = new URL("..", import.meta.url).pathname;

export interface StageOptions {
  /** The run's folder; the VM's is `<runDir>/vms/<name>`. */
  runDir: string;
  /** Where the built artifacts are (dist/). */
  distDir: string;
  certDir: string;
}

/** Writes the VM's folder; returns it. */
export async function stageVm(vm: Vm, files: VmFiles, o: StageOptions): Promise<string> {
  const dir = `${o.runDir}/vms/${vm.name}`;
  const opt = `${dir}/opt/fleetmon`;
  await Deno.mkdir(`${dir}/etc/fleetmon`, { recursive: true });
  await Deno.mkdir(opt, { recursive: true });
  // The tier's bundle and any file it loads beside itself (web's argon2 worker).
  const stem = files.artifact.replace(/\.js$/, "");
  for await (const entry of Deno.readDir(o.distDir)) {
    if (entry.name === files.artifact || entry.name.startsWith(`${stem}-`)) {
      await Deno.copyFile(`${o.distDir}/${entry.name}`, `${opt}/${entry.name}`);
    }
  }
  if (files.certs) {
    await Deno.mkdir(`${opt}/certs`, { recursive: true });
    for (const f of ["cert.pem", "key.pem"]) {
      await Deno.copyFile(`${o.certDir}/${f}`, `${opt}/certs/${f}`);
    }
  }
  for (const [path, text] of Object.entries(files.files)) {
    await Deno.writeTextFile(`${dir}${path}`, text);
  }
  return dir;
}

export interface RunningVm {
  vm: Vm;
  dir: string;
  service: Service;
  /** Set once the process has exited, for whatever reason. */
  exited: boolean;
}

/** Starts the VM's unit in its namespace and waits for its "listening" line. */
export async function startVm(vm: Vm, dir: string, files: VmFiles): Promise<RunningVm> {
  const unitText = await Deno.readTextFile(`${ROOT}deploy/systemd/${files.unit}`);
  const cmd = vmCommand(parseUnit(unitText, files.instance), dir, Deno.execPath());
  const env = cmd.envFile ? await readEnvFile(cmd.envFile, cmd.envFileOptional) : {};
  const service = await startService({
    name: vm.name,
    command: "ip",
    args: ["netns", "exec", vm.ns, ...cmd.command],
    cwd: cmd.cwd,
    env: { ...env, DENO_NO_UPDATE_CHECK: "1" },
    logFile: `${dir}/output.log`,
    ready: (entry) => entry.msg === "listening",
    readyTimeoutMs: 60_000,
    stopGraceMs: 20_000,
  });
  const running: RunningVm = { vm, dir, service, exited: false };
  service.exited.then(() => running.exited = true);
  return running;
}

/** Sends a signal to a VM's process (`ip netns exec` execs it, so the pid is the service's). */
export function signalVm(running: RunningVm, signal: Deno.Signal): void {
  try {
    running.service.child.kill(signal);
  } catch {
    // gone already
  }
}

/** A unit's environment file; an optional one (`EnvironmentFile=-…`) that is missing is empty. */
export async function readEnvFile(
  path: string,
  optional: boolean,
): Promise<Record<string, string>> {
  try {
    return parseEnvFile(await Deno.readTextFile(path));
  } catch (error) {
    if (optional && error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
}
