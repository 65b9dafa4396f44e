/**
 * A web node: `deno task start:web --node ws0 --mongodb-uri mongodb://…` (flags and env in
 * docs/web.md). Runs from relative paths: the cert and key default to ./certs/ under the working
 * directory, so a node's directory can be cloned to make another node.
 */
import { runService } from "@fleetmon/shared/service";
import { loadWebConfig } from "./config.ts";
import { startWebNode } from "./node.ts";

await runService({
  name: "web",
  loadConfig: loadWebConfig,
  logger: (config) => ({ node: config.node, level: config.logLevel }),
  start: startWebNode,
  // `systemctl reload fleetmon-web`: a renewed certificate without a restart (docs/deploy.md).
  signals: { SIGHUP: (node) => void node.reloadCertificate() },
});
