/**
 * The local launcher's admin token for each lb, so `disable` and `drain` need it even here:
 * `<dataDir>/secrets/<lb name>.admin-token`, one line of 64 hex digits, mode 0600 in a 0700
 * folder. Made on the first start and kept, so whatever reads it (an operator's curl, the web
 * tier's cluster page) keeps working across restarts.
 */
import { dirname } from "node:path";

export function adminTokenFile(dataDir: string, lbName: string): string {
  return `${dataDir}/secrets/${lbName}.admin-token`;
}

/** The token in `path`, made first (32 random bytes as hex) when there is none. */
export async function ensureAdminToken(path: string): Promise<string> {
  try {
    const token = (await Deno.readTextFile(path)).trim();
    if (/^[0-9a-f]{64}$/.test(token)) {
      await Deno.chmod(path, 0o600);
      return token;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  await Deno.writeTextFile(path, `${token}\n`, { mode: 0o600 });
  await Deno.chmod(path, 0o600); // mode applies only to a file the write creates
  return token;
}
