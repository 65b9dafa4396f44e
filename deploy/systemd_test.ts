/**
 * Every unit in deploy/systemd/ as systemd itself reads it: `systemd-analyze verify` (Debian 12's
 * systemd 252 on this machine) in a throw-away root holding the units, stand-ins for the programs
 * they run, and this machine's own system units. A warning (an unknown key, a bad value) fails it.
 */
import assert from "node:assert/strict";

const DIR = new URL("./systemd/", import.meta.url).pathname;
const SYSTEM_UNITS = "/usr/lib/systemd/system";

function have(program: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
    try {
      return Deno.statSync(`${dir}/${program}`).isFile;
    } catch {
      return false;
    }
  });
}

const canVerify = have("systemd-analyze") && (() => {
  try {
    return Deno.statSync(`${SYSTEM_UNITS}/sysinit.target`).isFile;
  } catch {
    return false;
  }
})();

/** The unit names to verify: templates get an instance, as installed. */
function unitNames(): string[] {
  return [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".service"))
    .map((n) => n.replace("@.service", n.includes("mongod") ? "@shard0.service" : "@comm.service"))
    .sort();
}

Deno.test({
  name:
    "the units pass systemd-analyze verify without a warning (skipped without systemd-analyze " +
    `and ${SYSTEM_UNITS})`,
  ignore: !canVerify,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "fleetmon-units-" });
    try {
      await Deno.mkdir(`${root}/etc/systemd/system`, { recursive: true });
      await Deno.mkdir(`${root}/usr/lib/systemd`, { recursive: true });
      const copy = await new Deno.Command("cp", {
        args: ["-r", SYSTEM_UNITS, `${root}/usr/lib/systemd/`],
      }).output();
      assert.ok(copy.success);
      const programs = new Set<string>();
      for (const entry of Deno.readDirSync(DIR)) {
        if (!entry.name.endsWith(".service")) continue;
        const text = await Deno.readTextFile(`${DIR}${entry.name}`);
        await Deno.writeTextFile(`${root}/etc/systemd/system/${entry.name}`, text);
        for (const match of text.matchAll(/^Exec\w+=[-+@!:]*(\/\S+)/gm)) programs.add(match[1]);
      }
      assert.ok(programs.has("/usr/local/bin/deno") && programs.has("/usr/bin/mongod"));
      for (const program of programs) {
        await Deno.mkdir(`${root}${program.slice(0, program.lastIndexOf("/"))}`, {
          recursive: true,
        });
        await Deno.writeTextFile(`${root}${program}`, "#!/bin/sh\n", { mode: 0o755 });
      }
      const names = unitNames();
      assert.ok(names.length >= 6, names.join(" "));
      const verify = await new Deno.Command("systemd-analyze", {
        args: [
          "verify",
          "--man=no",
          `--root=${root}`,
          ...names.map((n) => `/etc/systemd/system/${n}`),
        ],
        env: { SYSTEMD_LOG_COLOR: "0" },
      }).output();
      const said = new TextDecoder().decode(verify.stderr) +
        new TextDecoder().decode(verify.stdout);
      assert.equal(verify.code, 0, said);
      assert.equal(said.trim(), "", `systemd-analyze warned about ${names.join(", ")}`);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
