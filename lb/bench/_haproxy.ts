/** HAProxy configurations for the benchmark: the HTTP backends, and the balancer we compare with. */

/** One HAProxy thread answering a fixed small HTTP response on each port (the backends). */
export function backendsConfig(ports: number[]): string {
  return `global
  nbthread 1
  maxconn 4000
defaults
  mode http
  timeout connect 3s
  timeout client 300s
  timeout server 300s
frontend backends
${ports.map((port) => `  bind 127.0.0.1:${port}`).join("\n")}
  http-request return status 200 content-type text/plain string "hello from the bench backend\\n"
`;
}

export interface Server {
  name: string;
  port: number;
  /** Health-check port, when not the traffic port. */
  checkPort?: number;
}

/**
 * HAProxy as our balancer's twin: one thread, mode tcp, balance roundrobin, a TCP connect check
 * every second with rise 2 and fall 3, and the same connect/idle/check timeouts as lb's defaults.
 */
export function balancerConfig(listenPort: number, servers: Server[]): string {
  const lines = servers.map((s) =>
    `  server ${s.name} 127.0.0.1:${s.port} check inter 1s rise 2 fall 3` +
    (s.checkPort ? ` port ${s.checkPort}` : "")
  );
  return `global
  nbthread 1
  maxconn 4000
defaults
  mode tcp
  timeout connect 3s
  timeout client 300s
  timeout server 300s
  timeout check 1s
frontend balancer
  bind 127.0.0.1:${listenPort}
  default_backend servers
backend servers
  balance roundrobin
${lines.join("\n")}
`;
}
