/**
 * What the protocol and devices tests talk to, as real processes on free loopback ports against the test
 * database: comm nodes started from comm/main.ts (one plain, one expecting PROXY headers) and
 * lb(comm) from lb/main.ts in front of the second, sending PROXY v2 and checking /healthz.
 */
import { freePort } from "@fleetmon/shared/socket";
import { type Service, startService } from "@fleetmon/shared/supervisor";

const ROOT = new URL("..", import.meta.url).pathname;

export interface CommProcess {
  service: Service;
  port: number;
  healthPort: number;
}

export interface CommOptions {
  node: string;
  uri: string;
  /** Expect PROXY headers (comm's --proxy-protocol). */
  proxyProtocol?: boolean;
  /** Extra flags, e.g. "--rate-per-second=1000". */
  flags?: string[];
  /** Fixed ports, e.g. to start the node where a device already tries to connect. */
  port?: number;
  healthPort?: number;
}

export async function startCommProcess(options: CommOptions): Promise<CommProcess> {
  const port = options.port ?? freePort();
  const healthPort = options.healthPort ?? freePort();
  const service = await startService({
    name: options.node,
    args: [
      "run",
      "--allow-all",
      `${ROOT}comm/main.ts`,
      `--node=${options.node}`,
      `--listen=127.0.0.1:${port}`,
      `--health=127.0.0.1:${healthPort}`,
      `--mongodb-uri=${options.uri}`,
      `--proxy-protocol=${options.proxyProtocol ?? false}`,
      ...(options.flags ?? []),
    ],
    cwd: ROOT,
    ready: (entry) => entry.msg === "listening",
  });
  return { service, port, healthPort };
}

export interface LbOptions {
  /** `proxy` overrides the balancer's --proxy-protocol for one backend. */
  backends: { name: string; port: number; healthPort: number; proxy?: "off" | "v1" | "v2" }[];
  /** What lb(comm) sends before the device's bytes: "v2" as deployed, or "off". */
  proxyProtocol: "v1" | "v2" | "off";
  port?: number;
}

export async function startLbProcess(
  options: LbOptions,
): Promise<{ service: Service; port: number }> {
  const port = options.port ?? freePort();
  const service = await startService({
    name: "lb-comm",
    args: [
      "run",
      "--allow-all",
      `${ROOT}lb/main.ts`,
      "--name=lb-comm",
      `--listen=127.0.0.1:${port}`,
      "--admin=127.0.0.1:0",
      "--check=http",
      "--check-path=/healthz",
      "--check-interval-ms=200",
      "--rise=1",
      "--fall=2",
      `--proxy-protocol=${options.proxyProtocol}`,
      ...options.backends.map((b) =>
        `--backend=${b.name}=127.0.0.1:${b.port},check=${b.healthPort}` +
        (b.proxy ? `,proxy=${b.proxy}` : "")
      ),
    ],
    cwd: ROOT,
    ready: (entry) => entry.msg === "listening",
  });
  return { service, port };
}

/** Stops services in reverse order of starting, ignoring ones already gone. */
export async function stopAll(services: (Service | undefined)[]): Promise<void> {
  for (const service of services.reverse()) await service?.stop(5_000).catch(() => {});
}
