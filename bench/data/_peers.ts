/**
 * The peers bench:data compares fleetmon with, each started on loopback with its own data folder:
 * InfluxDB 1.6 (Debian `influxdb`, WAL on, fsync on every write) and VictoriaMetrics (Debian
 * `victoria-metrics`; it answers before data is durable, so it is a ceiling, not a peer).
 */
import { freePort } from "@fleetmon/shared/socket";
import { type Service, startService } from "@fleetmon/shared/supervisor";

export interface Peer {
  name: string;
  writeUrl: string;
  dataDir: string;
  service: Service;
}

/** Fails with what to install when `command` is not on PATH (a clean machine lacks both peers). */
async function requireCommand(command: string, debianPackage: string): Promise<void> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (await Deno.stat(`${dir}/${command}`).then(() => true, () => false)) return;
  }
  throw new Error(
    `Cannot benchmark: ${command} is not installed: apt-get install ${debianPackage} ` +
      "(its service need not run: the benchmark starts its own on loopback)",
  );
}

async function waitHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer in ${timeoutMs} ms`);
}

export async function startInfluxDB(dir: string): Promise<Peer> {
  await requireCommand("influxd", "influxdb");
  const http = freePort();
  const config = `reporting-enabled = false
bind-address = "127.0.0.1:${freePort()}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  wal-fsync-delay = "0s"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${http}"
  log-enabled = false
  max-body-size = 0
[monitor]
  store-enabled = false
[logging]
  level = "warn"
`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/influxdb.conf`, config);
  const service = await startService({
    name: "influxdb",
    command: "influxd",
    args: ["-config", `${dir}/influxdb.conf`],
  });
  const base = `http://127.0.0.1:${http}`;
  await waitHttp(`${base}/ping`);
  const created = await fetch(`${base}/query`, {
    method: "POST",
    body: new URLSearchParams({ q: "CREATE DATABASE bench" }),
  });
  await created.body?.cancel();
  return {
    name: "influxdb",
    writeUrl: `${base}/write?db=bench&precision=ms`,
    dataDir: dir,
    service,
  };
}

export async function startVictoriaMetrics(dir: string): Promise<Peer> {
  await requireCommand("victoria-metrics", "victoria-metrics");
  const http = freePort();
  await Deno.mkdir(dir, { recursive: true });
  const service = await startService({
    name: "victoria-metrics",
    command: "victoria-metrics",
    args: [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${http}`, "-loggerLevel=ERROR"],
  });
  const base = `http://127.0.0.1:${http}`;
  await waitHttp(`${base}/health`);
  return {
    name: "victoria-metrics",
    writeUrl: `${base}/write?precision=ms`,
    dataDir: dir,
    service,
  };
}

/**
 * Writes `devices` devices' 8-metric readings as line protocol, `batch` lines a request, one
 * request at a time over one connection, for `seconds`. Returns points (fields) per second.
 */
export async function writeLineProtocol(
  peer: Peer,
  devices: number,
  seconds: number,
  batch = 5_000,
): Promise<{ points: number; pointsPerSecond: number }> {
  const client = Deno.createHttpClient({});
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let lines = 0;
  let ts = Date.now() - 3_600_000;
  try {
    while (performance.now() < deadline) {
      let body = "";
      for (let i = 0; i < batch; i++, lines++) {
        const n = lines;
        if (i % devices === 0) ts++;
        body += `reading,device=bench-${n % devices} cpu=${(n % 100) / 100},mem=${n % 4096},` +
          `temp=${(n * 3) % 1000},load1=${(n * 4) % 1000},disk=${(n * 5) % 1000},` +
          `rx=${(n * 6) % 1000},tx=${(n * 7) % 1000},errors=${(n * 8) % 1000} ${ts}\n`;
      }
      const response = await fetch(peer.writeUrl, { method: "POST", body, client });
      if (response.status >= 300) {
        throw new Error(
          `${peer.name} refused a write: HTTP ${response.status} ${await response.text()}`,
        );
      }
      await response.body?.cancel();
    }
  } finally {
    client.close();
  }
  const elapsed = (performance.now() - started) / 1000;
  return { points: lines * 8, pointsPerSecond: (lines * 8) / elapsed };
}

/** Bytes under `dir`. */
export async function duBytes(dir: string): Promise<number> {
  const output = await new Deno.Command("du", { args: ["-sb", dir] }).output();
  return Number(new TextDecoder().decode(output.stdout).split("\t")[0]);
}
