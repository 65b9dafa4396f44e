/**
 * The built artifacts as VMs on one machine, for tests/deploy_artifacts_test.ts: each VM is a
 * copy of its `dist/<vm>/` folder, and its process is what its systemd unit's ExecStart says,
 * with `/usr/local/bin/deno` this Deno and `/etc`, `/opt` paths inside the VM's folder. One
 * machine has one set of ports, so each VM gets loopback addresses and free ports in place of the
 * address plan's (as env overrides or in its lb JSON); everything else is the built files.
 * As root, each VM runs in a UTS namespace of its own with its VM name as host name
 * (`unshare --uts`), so node ids come from the host name as on real VMs.
 */
import { isListening, type Service, startService } from "@fleetmon/shared/supervisor";
import { parseUnit, readEnvFile, vmCommand } from "../rehearse/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
export const AS_ROOT = Deno.uid() === 0;

/** `deno task build --no-compile` into `distDir`; returns its JSON summary. */
export async function buildArtifacts(distDir: string): Promise<Record<string, unknown>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "build", "--no-compile", `--dist-dir=${distDir}`],
    cwd: ROOT,
    stdin: "null",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    throw new Error(`deno task build failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return JSON.parse(stdout.split("\n").at(-1)!);
}

/** Copies `dist/<from>/` to `<vmsDir>/<name>/`: installing a VM, or cloning one. */
export async function stageVm(fromDir: string, vmDir: string): Promise<void> {
  await Deno.mkdir(vmDir, { recursive: true });
  // docs/deploy.md's copy, step 1, with the VM's folder in place of its /.
  const { success, stderr } = await new Deno.Command("sh", {
    args: [
      "-c",
      'tar -C "$0" -cf - . | tar -C "$1" --no-same-owner --no-overwrite-dir -xf -',
      fromDir,
      vmDir,
    ],
  }).output();
  if (!success) {
    throw new Error(`Cannot copy ${fromDir} to ${vmDir}: ${new TextDecoder().decode(stderr)}`);
  }
}

export interface VmSpec {
  name: string;
  vmDir: string;
  unit: string;
  instance?: string;
  /** Settings that differ on one machine: addresses and the test's database. */
  env?: Record<string, string>;
}

/** Starts the VM's unit and waits for its "listening" line. */
export async function startVm(spec: VmSpec): Promise<Service> {
  const unit = vmCommand(
    parseUnit(
      await Deno.readTextFile(`${spec.vmDir}/etc/systemd/system/${spec.unit}`),
      spec.instance,
    ),
    spec.vmDir,
    Deno.execPath(),
  );
  const [program, ...args] = unit.command;
  const fileEnv = unit.envFile ? await readEnvFile(unit.envFile, unit.envFileOptional) : {};
  const env: Record<string, string> = { ...fileEnv, ...spec.env, DENO_NO_UPDATE_CHECK: "1" };
  if (!AS_ROOT) {
    // No UTS namespace: say the host name the VM would have.
    if (spec.unit.startsWith("fleetmon-comm")) env.COMM_NODE ??= spec.name;
    if (spec.unit.startsWith("fleetmon-web")) env.WEB_NODE ??= spec.name;
  }
  return await startService({
    name: spec.name,
    command: AS_ROOT ? "unshare" : program,
    args: AS_ROOT
      ? ["--uts", "sh", "-c", 'hostname "$0" && exec "$@"', spec.name, program, ...args]
      : args,
    cwd: unit.cwd,
    env,
    logFile: `${spec.vmDir}/output.log`,
    ready: isListening,
    readyTimeoutMs: 60_000,
    stopGraceMs: 15_000,
  });
}

/** Runs an operator tool's bundle from the admin VM's folder; returns its stdout. */
export async function runTool(
  adminDir: string,
  tool: string,
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${adminDir}/opt/fleetmon/fleetmon-${tool}.js`, ...args],
    env: { ...env, NO_COLOR: "1" },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`${tool} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return text;
}
