import assert from "node:assert/strict";
import { z } from "zod";
import { loadConfig, nodeIdSchema } from "./config.ts";
import { HelpRequested } from "./help.ts";
import { runService, type ServiceHost } from "./service.ts";

const schema = z.object({
  node: nodeIdSchema,
  listen: z.string().default("127.0.0.1:7101"),
  mongodbUri: z.string(),
});
const sources = {
  env: {},
  envKeys: { COMM_NODE: "node", MONGODB_URI: "mongodbUri" },
  flags: {
    node: { type: "string" as const },
    listen: { type: "string" as const },
    "mongodb-uri": { type: "string" as const },
  },
};

Deno.test("--help lists every flag with its environment variable and default", () => {
  const error = (() => {
    try {
      loadConfig("comm", schema, { ...sources, args: ["--listen", "x", "--help"] });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(error instanceof HelpRequested);
  assert.match(error.text, /^deno task start:comm: /);
  assert.match(error.text, /--node VALUE\s+COMM_NODE\s+this host's short name \(/);
  assert.match(error.text, /--listen VALUE\s+127\.0\.0\.1:7101$/m);
  assert.match(error.text, /--mongodb-uri VALUE\s+MONGODB_URI\s+\(required\)$/m);
  assert.match(error.text, /More: docs\/comm\.md\.$/);
});

Deno.test("runService prints the help and exits 0 without starting", async () => {
  const written: string[] = [];
  const exits: number[] = [];
  const host: ServiceHost = {
    args: ["-h"],
    env: {},
    write: (line) => written.push(line),
    onSignal: () => {},
    exit: (code) => exits.push(code),
  };
  let started = false;
  await runService({
    name: "comm",
    loadConfig: (args, env) => loadConfig("comm", schema, { ...sources, args, env }),
    logger: () => ({}),
    start: () => {
      started = true;
      return { close: () => Promise.resolve() };
    },
  }, host);
  assert.deepEqual(exits, [0]);
  assert.equal(started, false);
  assert.match(written.join(""), /Usage: deno task start:comm/);
});
