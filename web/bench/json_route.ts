/**
 * json_route_vs_plain_https: requests/s of a small authenticated JSON route (`GET /api/me`)
 * through lb(web) to ws0 and ws1, ÷ a bare `Deno.serve` HTTPS hello, two processes behind the
 * same lb binary with the same settings. Runs alternate, three rounds; the ratio is the median of
 * each round's ratio, so a busy moment on the machine hits both alike.
 */
import { isListening } from "@fleetmon/shared/supervisor";
import { type BenchCluster, denoArgs } from "./_cluster.ts";
import { requestsPerSecond, round } from "./_measure.ts";

export async function jsonRouteVsPlainHttps(cluster: BenchCluster, say: (line: string) => void) {
  const hellos: string[] = [];
  for (const name of ["hello0", "hello1"]) {
    const service = await cluster.start({
      name,
      args: denoArgs("web/bench/_hello.ts", ["--allow-net", "--allow-read"], [
        `--cert=${cluster.certFile}`,
        `--key=${cluster.certFile.replace(/cert\.pem$/, "key.pem")}`,
      ]),
      ready: isListening,
    });
    hellos.push(String(service.readyEntry!.addr));
  }
  const helloBase = await cluster.startLb("lb-hello", hellos, "tcp");
  const ratios: number[] = [];
  const json: number[] = [];
  const plain: number[] = [];
  for (let roundNo = 0; roundNo < 3; roundNo++) {
    const runJson = () =>
      requestsPerSecond(`${cluster.base}/api/me`, {
        caFile: cluster.certFile,
        cookie: cluster.cookie,
      });
    const runPlain = () => requestsPerSecond(`${helloBase}/`, { caFile: cluster.certFile });
    let a: number, b: number;
    if (roundNo % 2 === 0) {
      a = await runJson();
      b = await runPlain();
    } else {
      b = await runPlain();
      a = await runJson();
    }
    json.push(a);
    plain.push(b);
    ratios.push(a / b);
    say(`  round ${roundNo + 1}: /api/me ${round(a)} req/s, hello ${round(b)} req/s`);
  }
  return {
    json_route_vs_plain_https: round(median(ratios), 3),
    json_route_rps: round(median(json)),
    plain_https_rps: round(median(plain)),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
