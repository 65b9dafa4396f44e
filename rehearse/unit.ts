/**
 * What a systemd unit of deploy/systemd/ says to run, read from the unit file itself, so the
 * rehearsal starts each VM's process exactly as the unit would (there is no systemd here). Pure.
 */

export interface Unit {
  /** ExecStart split into words, `%i` replaced. */
  execStart: string[];
  environmentFile?: string;
  /** systemd's `EnvironmentFile=-…`: a missing file is skipped, not an error. */
  environmentFileOptional?: boolean;
  workingDirectory?: string;
}

/** Reads a unit's [Service] lines; `instance` replaces `%i` (fleetmon-lb@comm → "comm"). */
export function parseUnit(text: string, instance = ""): Unit {
  const joined = text.replace(/\\\n\s*/g, " ");
  const values = new Map<string, string>();
  for (const raw of joined.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("[")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    values.set(line.slice(0, eq), line.slice(eq + 1).replaceAll("%i", instance));
  }
  const exec = values.get("ExecStart");
  if (!exec) throw new TypeError("Cannot read the unit: it has no ExecStart");
  const environmentFile = values.get("EnvironmentFile");
  return {
    execStart: exec.trim().split(/\s+/),
    environmentFile: environmentFile?.replace(/^-/, ""),
    environmentFileOptional: environmentFile?.startsWith("-") ?? false,
    workingDirectory: values.get("WorkingDirectory"),
  };
}

/** `KEY=value` lines (comments and blanks skipped), as systemd's EnvironmentFile reads them. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new TypeError(`Cannot read environment file line "${line}": no KEY=`);
    env[line.slice(0, eq)] = line.slice(eq + 1).replace(/^"(.*)"$/, "$1");
  }
  return env;
}

/** `KEY=value` lines, the inverse of `parseEnvFile`. */
export function formatEnvFile(env: Record<string, string>): string {
  return Object.entries(env).map(([key, value]) => `${key}=${value}\n`).join("");
}

/**
 * A unit's paths mapped into a VM's folder: `/opt/fleetmon` → `<vm>/opt/fleetmon`, and so on for
 * every absolute path under /opt or /etc; `/usr/local/bin/deno` → this Deno.
 */
export function localize(path: string, vmDir: string, deno: string): string {
  if (path === "/usr/local/bin/deno") return deno;
  if (/^\/(opt|etc)\//.test(path)) return `${vmDir}${path}`;
  return path;
}

/** The command line (program first) and cwd and env file a VM runs, its paths localized. */
export function vmCommand(unit: Unit, vmDir: string, deno: string) {
  const words = unit.execStart.map((word) => {
    const eq = word.indexOf("=");
    if (word.startsWith("--") && eq > 0) {
      return word.slice(0, eq + 1) + localize(word.slice(eq + 1), vmDir, deno);
    }
    return localize(word, vmDir, deno);
  });
  return {
    command: words,
    cwd: unit.workingDirectory ? localize(unit.workingDirectory, vmDir, deno) : vmDir,
    envFile: unit.environmentFile ? localize(unit.environmentFile, vmDir, deno) : undefined,
    envFileOptional: unit.environmentFileOptional ?? false,
  };
}
