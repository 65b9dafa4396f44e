/**
 * Child of tests/web_reload_handover_test.ts, run in a network namespace of its own: a web server
 * (createWebServer, as web/node.ts runs it) reloads its certificate `reloads` times, 50 ms apart,
 * while `clients` loops each open a fresh TLS connection per request. Prints one JSON line:
 * requests served, requests failed by kind, and the reload warnings web logged.
 */
import { createMemoryLogger } from "@fleetmon/shared/log";
import { createWebServer, ensureSelfSignedCert } from "@fleetmon/web";

const [clients, reloads] = Deno.args.map(Number);
const dir = await Deno.makeTempDir({ prefix: "fleetmon-reload-load-" });
try {
  const { certFile, keyFile } = await ensureSelfSignedCert(dir);
  const logger = createMemoryLogger("web");
  const server = await createWebServer({
    listen: { hostname: "127.0.0.1", port: 0 },
    certFile,
    keyFile,
    logger,
    app: { fetch: () => new Response("ok") },
  });
  const url = `https://localhost:${server.addr.split(":")[1]}/`;
  using client = Deno.createHttpClient({
    caCerts: [await Deno.readTextFile(certFile)],
    poolMaxIdlePerHost: 0,
  });
  let stop = false;
  let served = 0;
  const failed: Record<string, number> = {};
  const loop = async () => {
    while (!stop) {
      try {
        await (await fetch(url, { client })).text();
        served++;
      } catch (error) {
        const cause = String((error as Error).cause ?? error).replace(/https:\/\/[^)]*/, "URL");
        failed[cause] = (failed[cause] ?? 0) + 1;
      }
    }
  };
  const loops = Array.from({ length: clients }, loop);
  for (let i = 0; i < reloads; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.reloadCertificate();
  }
  stop = true;
  await Promise.all(loops);
  await server.close();
  const warnings = logger.lines.filter((l) => l.level === "warn").map((l) => String(l.msg));
  console.log(JSON.stringify({ served, failed, warnings: warnings.length, warning: warnings[0] }));
} finally {
  await Deno.remove(dir, { recursive: true });
}
