/**
 * `systemctl reload fleetmon-web` on a real web process: SIGHUP makes it serve a renewed
 * certificate without a restart, and a half-copied renewal (new certificate, old key) is refused
 * while the running pair goes on serving.
 */
import assert from "node:assert/strict";
import { ensureSelfSignedCert } from "@fleetmon/web";
import { eventually, openCluster, startWebProcess } from "./_web_support.ts";

Deno.test("web serves a renewed certificate after SIGHUP, and refuses a pair that does not match", async () => {
  await using cluster = await openCluster();
  const dir = await cluster.nodeDir("ws0");
  await using ws0 = await startWebProcess({ node: "ws0", cwd: dir, uri: cluster.uri });
  const url = `https://localhost:${ws0.port}/healthz`;

  // The renewal, as docs/deploy.md does it: a new pair over the old one, then reload.
  const renewed = await Deno.makeTempDir({ dir: cluster.dir });
  const { certFile, keyFile } = await ensureSelfSignedCert(renewed);
  await Deno.copyFile(certFile, `${dir}/certs/cert.pem`);
  await Deno.copyFile(keyFile, `${dir}/certs/key.pem`);
  const newPem = await Deno.readTextFile(certFile);
  ws0.signal("SIGHUP");
  await eventually(
    "the reload",
    () =>
      Promise.resolve(
        ws0.lines.find((l) => l.msg === "certificate reloaded") ? true : undefined,
      ),
  );
  using trustsNew = Deno.createHttpClient({ caCerts: [newPem], poolMaxIdlePerHost: 0 });
  const health = await fetch(url, { client: trustsNew });
  assert.equal(health.status, 200);
  assert.equal((await health.json()).node, "ws0");
  using trustsOld = Deno.createHttpClient({ caCerts: [cluster.certPem], poolMaxIdlePerHost: 0 });
  await assert.rejects(fetch(url, { client: trustsOld }), "the old certificate is gone");

  // A half-copied renewal: the old certificate back, beside the renewed key.
  await Deno.copyFile(`${cluster.dir}/certs/cert.pem`, `${dir}/certs/cert.pem`);
  ws0.signal("SIGHUP");
  const refused = await eventually(
    "the refusal",
    () =>
      Promise.resolve(
        ws0.lines.find((l) =>
          l.msg === "certificate reload refused: the running certificate stays"
        ),
      ),
  );
  assert.equal(refused.level, "error");
  const still = await fetch(url, { client: trustsNew });
  assert.equal(still.status, 200, "the running pair still serves");
  await still.body?.cancel();
});
