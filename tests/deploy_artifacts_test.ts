/**
 * The topology from the built artifacts, not the sources (issue 14, points 6 and 7):
 * `deno task build`, each VM a copy of its dist/<vm>/ folder running its unit's command line,
 * the first admin and a device made with the admin host's tool bundles, readings from a device
 * through lb(comm) read back through lb(web); then the seed's clone step: cs0's folder copied as
 * cs2 (its node id from its host name), added to lb(comm) by a reload, with the open device
 * connection untouched and new devices reaching cs2.
 */
import assert from "node:assert/strict";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { freePort } from "@fleetmon/shared/socket";
import type { Service } from "@fleetmon/shared/supervisor";
import { ensureSelfSignedCert } from "@fleetmon/web";
import { AS_ROOT, buildArtifacts, runTool, stageVm, startVm } from "./_artifacts.ts";
import { connectDevice, type DeviceLink } from "./_device_link.ts";
import { httpsClient, login } from "./_https.ts";

const PASSWORD = "artifact-admin-password-1";
const at = (port: number) => `127.0.0.1:${port}`;

Deno.test("the built artifacts run the seed's topology end to end, and cs0's clone joins lb(comm) by a reload", async () => {
  await using database = await openTestDatabase("artifacts");
  const dir = await Deno.makeTempDir({ prefix: "fleetmon-artifacts-" });
  const services: Service[] = [];
  const links: DeviceLink[] = [];
  try {
    const build = await buildArtifacts(`${dir}/dist`);
    assert.match(String(build.binariesNotMade), /skipped: --no-compile/);
    const vm = async (name: string, from = name) => {
      await stageVm(`${dir}/dist/${from}`, `${dir}/vms/${name}`);
      return `${dir}/vms/${name}`;
    };
    const db = { MONGODB_URI: database.uri };

    // The admin host: db:init before any node starts, then the first admin and a device, from
    // the tool bundles alone.
    const admin = await vm("admin");
    assert.deepEqual(build.toolsMissing, []);
    const init = await runTool(admin, "db-init", [], db);
    assert.match(init, /indexes ready/);
    await runTool(admin, "user", ["add", "admin", "--password-stdin"], db, `${PASSWORD}\n`);
    const added = await runTool(admin, "device", ["add", "pump-1", "--name", "Pump 1"], db);
    const token = /\b(fm_\S+)/.exec(added)?.[1];
    assert.ok(token, `device add printed a token: ${added}`);

    // The certificate for the public name, copied to each web VM; its CA (itself) to lb-web.
    const cert = await ensureSelfSignedCert(`${dir}/cert`, {
      hostnames: ["fleet.example.com", "localhost"],
    });
    const ports = {
      comm: [freePort(), freePort(), freePort()],
      health: [freePort(), freePort(), freePort()],
      web: [freePort(), freePort()],
      lbComm: freePort(),
      lbWeb: freePort(),
    };
    for (const i of [0, 1]) {
      const ws = await vm(`ws${i}`);
      await Deno.mkdir(`${ws}/opt/fleetmon/certs`);
      await Deno.copyFile(cert.certFile, `${ws}/opt/fleetmon/certs/cert.pem`);
      await Deno.copyFile(cert.keyFile, `${ws}/opt/fleetmon/certs/key.pem`);
      services.push(
        await startVm({
          name: `ws${i}`,
          vmDir: ws,
          unit: "fleetmon-web.service",
          env: {
            ...db,
            WEB_LISTEN: at(ports.web[i]),
            WEB_PUBLIC_ORIGIN: `https://localhost:${ports.lbWeb}`,
          },
        }),
      );
    }
    const startComm = async (i: number, vmDir: string) =>
      services.push(
        await startVm({
          name: `cs${i}`,
          vmDir,
          unit: "fleetmon-comm.service",
          env: { ...db, COMM_LISTEN: at(ports.comm[i]), COMM_HEALTH: at(ports.health[i]) },
        }),
      );
    await startComm(0, await vm("cs0"));
    await startComm(1, await vm("cs1"));

    // The LBs' own JSON files, with this machine's addresses in place of the plan's.
    const lbComm = await vm("lb-comm");
    const lbCommFile = `${lbComm}/etc/fleetmon/lb-comm.json`;
    const commConfig = JSON.parse(await Deno.readTextFile(lbCommFile));
    const commBackend = (i: number) => ({
      id: `cs${i}`,
      address: at(ports.comm[i]),
      check: at(ports.health[i]),
    });
    Object.assign(commConfig, {
      listen: at(ports.lbComm),
      admin: "off",
      backend: [commBackend(0), commBackend(1)],
    });
    await Deno.writeTextFile(lbCommFile, JSON.stringify(commConfig));
    const lbWeb = await vm("lb-web");
    const lbWebFile = `${lbWeb}/etc/fleetmon/lb-web.json`;
    const webConfig = JSON.parse(await Deno.readTextFile(lbWebFile));
    await Deno.copyFile(cert.certFile, `${lbWeb}${webConfig.checkCaFile}`);
    Object.assign(webConfig, {
      listen: at(ports.lbWeb),
      admin: "off",
      checkCaFile: `${lbWeb}${webConfig.checkCaFile}`,
      backend: [0, 1].map((i) => ({ id: `ws${i}`, address: at(ports.web[i]) })),
    });
    await Deno.writeTextFile(lbWebFile, JSON.stringify(webConfig));
    const lbCommService = await startVm({
      name: "lb-comm",
      vmDir: lbComm,
      unit: "fleetmon-lb@.service",
      instance: "comm",
    });
    services.push(lbCommService);
    const lbWebService = await startVm({
      name: "lb-web",
      vmDir: lbWeb,
      unit: "fleetmon-lb@.service",
      instance: "web",
    });
    services.push(lbWebService);
    for (const [lb, ids] of [[lbCommService, ["cs0", "cs1"]], [lbWebService, ["ws0", "ws1"]]]) {
      for (const id of ids as string[]) {
        await (lb as Service).waitFor(
          (e) => e.msg === "backend state changed" && e.backend === id && e.to === "up",
          30_000,
        );
      }
    }

    // A device through lb(comm) (PROXY v2 to comm, as the files say); read back through lb(web).
    const first = await connectDevice({ port: ports.lbComm, device: "pump-1", token: token! });
    links.push(first);
    const now = Date.now();
    for (let seq = 1; seq <= 20; seq++) {
      await first.send({ type: "reading", seq, ts: now + seq, metrics: { temp: 20 + seq } });
    }
    await first.waitForAcked(20, 15_000);
    assert.deepEqual(first.nacks, []);
    assert.ok(["cs0", "cs1"].includes(first.node), `node id from the host name: ${first.node}`);
    using client = await httpsClient(cert.certFile);
    const web = `https://localhost:${ports.lbWeb}`;
    const cookie = await login(client, web, "admin", PASSWORD);
    const response = await fetch(`${web}/api/devices/pump-1/readings?limit=1000`, {
      client,
      headers: { cookie },
    });
    assert.equal(response.status, 200);
    const { readings } = await response.json() as { readings: { seq: number }[] };
    assert.equal(readings.length, 20);

    // The clone step: cs0's folder as cs2, then lb(comm) reloads with cs2 added.
    await startComm(2, await vm("cs2", "cs0"));
    commConfig.backend.push(commBackend(2));
    await Deno.writeTextFile(lbCommFile, JSON.stringify(commConfig));
    lbCommService.child.kill("SIGHUP");
    await lbCommService.waitFor((e) => e.msg === "reloaded", 15_000);
    await lbCommService.waitFor(
      (e) => e.msg === "backend state changed" && e.backend === "cs2" && e.to === "up",
      30_000,
    );
    for (let seq = 21; seq <= 30; seq++) {
      await first.send({ type: "reading", seq, ts: now + seq, metrics: { temp: 20 + seq } });
    }
    await first.waitForAcked(30, 15_000, 21);
    assert.deepEqual(first.nacks, [], "the open connection went on through the reload");

    // New devices go round robin over three nodes: within three connections one reaches cs2.
    const nodes = new Set<string>();
    for (let i = 2; i <= 4; i++) {
      const out = await runTool(admin, "device", ["add", `pump-${i}`], db);
      const link = await connectDevice({
        port: ports.lbComm,
        device: `pump-${i}`,
        token: /\b(fm_\S+)/.exec(out)![1],
      });
      links.push(link);
      await link.send({ type: "reading", seq: 1, ts: Date.now(), metrics: { temp: 1 } });
      await link.waitForAcked(1, 15_000);
      nodes.add(link.node);
    }
    assert.ok(nodes.has("cs2"), `a new device reached the clone: ${[...nodes]}`);
    const onClone = links.find((l) => l.node === "cs2")!;
    const stored = await fetch(`${web}/api/devices/${onClone.device}/readings?limit=10`, {
      client,
      headers: { cookie },
    });
    const body = await stored.json() as { readings: { node: string }[] };
    assert.deepEqual(
      body.readings.map((r) => r.node),
      ["cs2"],
      "the clone stores readings as cs2, not as a second cs0",
    );
    if (!AS_ROOT) console.warn("not root: node ids were given as COMM_NODE, not host names");
  } finally {
    for (const link of links) await link.close();
    for (const service of services.reverse()) await service.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
