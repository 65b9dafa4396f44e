/**
 * Each role's nftables ruleset (deploy/files/<role>/etc/fleetmon/nftables.conf) against the address
 * plan: it opens exactly the ports the role listens on, to the sources docs/deploy.md names, and
 * nft itself accepts it.
 */
import assert from "node:assert/strict";
import { PORTS, type Role, VMS } from "./plan.ts";
import { vmTree } from "./build/vm_trees.ts";

const FILES = new URL("./files/", import.meta.url).pathname;
const ip = (name: string) => VMS.find((vm) => vm.name === name)!.ip;
const rules = (role: Role) => Deno.readTextFileSync(`${FILES}${role}/etc/fleetmon/nftables.conf`);

/** Every accepted TCP port with the source it is accepted from ("any" without one). */
function openings(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*(?:ip saddr (\S+) )?tcp dport (\{[^}]*\}|\d+) accept\s*$/.exec(line);
    if (!match) continue;
    for (const port of match[2].replace(/[{}]/g, "").split(",")) {
      found.push(`${port.trim()} from ${match[1] ?? "any"}`);
    }
  }
  return found.sort();
}

const SSH = "22 from 10.0.0.0/24";
const EXPECTED: Record<Role, string[]> = {
  "lb-comm": [SSH, `${PORTS.lbComm} from any`],
  "lb-web": [SSH, `${PORTS.lbWeb} from any`],
  comm: [SSH, `${PORTS.comm} from ${ip("lb-comm")}`, `${PORTS.commHealth} from ${ip("lb-comm")}`],
  web: [SSH, `${PORTS.web} from ${ip("lb-web")}`],
  db: [SSH, ...[PORTS.configsvr, ...PORTS.shards].map((p) => `${p} from 10.0.0.0/24`)],
  admin: [SSH],
};

Deno.test("each role's firewall opens the ports it listens on to the plan's sources, and drops the rest", () => {
  for (const role of Object.keys(EXPECTED) as Role[]) {
    const text = rules(role);
    assert.deepEqual(openings(text), [...EXPECTED[role]].sort(), role);
    assert.match(text, /policy drop;/, `${role}: what is not allowed is dropped`);
    assert.match(text, /ct state established,related accept/, `${role}: replies come back`);
  }
  for (const vm of VMS) {
    assert.ok(
      vmTree(vm, []).some((f) => f.to === "/etc/fleetmon/nftables.conf"),
      `${vm.name} gets its firewall`,
    );
  }
});

const canCheck = Deno.uid() === 0 && (() => {
  try {
    return new Deno.Command("unshare", { args: ["--net", "nft", "--version"] }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

Deno.test({
  name:
    "nft accepts each role's ruleset (skipped without nft, or not root: checked with nft -c in " +
    "a network namespace of its own, so this machine's firewall is untouched)",
  ignore: !canCheck,
  async fn() {
    for (const role of Object.keys(EXPECTED)) {
      const check = await new Deno.Command("unshare", {
        args: ["--net", "nft", "-c", "-f", `${FILES}${role}/etc/fleetmon/nftables.conf`],
      }).output();
      assert.ok(check.success, `${role}: ${new TextDecoder().decode(check.stderr)}`);
    }
  },
});
