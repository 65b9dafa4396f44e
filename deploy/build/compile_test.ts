import assert from "node:assert/strict";
import { compileFailureReason } from "./compile.ts";

Deno.test("compileFailureReason names the runtime it could not download and why", () => {
  const stderr = "\x1b[0m\x1b[32mCompile\x1b[0m c.ts to cbin\n" +
    "\x1b[32mDownload\x1b[0m https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip\n" +
    "\x1b[31merror\x1b[0m: Writing deno compile executable to temporary file\n\nCaused by:\n" +
    "    0: Setting up base binary.\n    1: error sending request\n" +
    "    4: failed to lookup address information: Name or service not known\n\n" +
    "Stack backtrace:\n   0: <unknown>\n";
  assert.equal(
    compileFailureReason(stderr),
    "cannot download Deno's runtime https://dl.deno.land/release/v2.9.6/" +
      "denort-x86_64-unknown-linux-gnu.zip: failed to lookup address information: " +
      "Name or service not known",
  );
});

Deno.test("compileFailureReason falls back to the last line when there is no cause", () => {
  assert.equal(
    compileFailureReason("error: Module not found\n"),
    "deno compile failed: error: Module not found",
  );
});
