import assert from "node:assert/strict";
import { adminTokenFile, ensureAdminToken } from "./lb_admin_tokens.ts";

Deno.test("the launcher makes each lb an admin token once, readable by its user only", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "fleetmon-lb-token-" });
  try {
    const path = adminTokenFile(dataDir, "lb-comm");
    const token = await ensureAdminToken(path);
    assert.match(token, /^[0-9a-f]{64}$/);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.equal(await ensureAdminToken(path), token, "kept across restarts");
    const other = await ensureAdminToken(adminTokenFile(dataDir, "lb-web"));
    assert.notEqual(other, token, "one token per lb");
    await Deno.writeTextFile(path, "short\n");
    assert.notEqual(await ensureAdminToken(path), "short", "a damaged file is replaced");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
