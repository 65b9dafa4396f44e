/** /proc/net/dev: traffic counters per interface, summed over all but loopback. Pure. */

export interface NetCounters {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

export function parseNetDev(text: string, exclude: (name: string) => boolean = isLoopback) {
  const sum: NetCounters = {
    rxBytes: 0,
    rxPackets: 0,
    rxErrors: 0,
    rxDropped: 0,
    txBytes: 0,
    txPackets: 0,
    txErrors: 0,
    txDropped: 0,
  };
  let interfaces = 0;
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon === -1 || line.includes("|")) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 16 || exclude(name)) continue;
    interfaces++;
    sum.rxBytes += f[0];
    sum.rxPackets += f[1];
    sum.rxErrors += f[2];
    sum.rxDropped += f[3];
    sum.txBytes += f[8];
    sum.txPackets += f[9];
    sum.txErrors += f[10];
    sum.txDropped += f[11];
  }
  return { ...sum, interfaces };
}

function isLoopback(name: string): boolean {
  return name === "lo";
}
