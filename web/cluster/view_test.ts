import assert from "node:assert/strict";
import { readLbToken } from "./view.ts";

Deno.test("each lb's admin token is read from the file its name picks; no file means no token", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/lb-web.admin-token`, "a".repeat(64) + "\n");
    const token = readLbToken(`${dir}/{name}.admin-token`);
    assert.equal(await token("lb-web"), "a".repeat(64));
    assert.equal(await token("lb-comm"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
