/**
 * The database password kept out of MONGODB_URI and out of the environment: read from a file
 * and put into the URI's user part. In order:
 *
 * 1. `MONGODB_PASSWORD_FILE`: a file the process may read (an operator's, mode 0600);
 * 2. `$CREDENTIALS_DIRECTORY/mongodb-password`: the credential a systemd unit hands over with
 *    `LoadCredential=mongodb-password:/etc/fleetmon/mongodb-password` (deploy/systemd/).
 *
 * Without either, the URI is used as it is (a local FerretDB needs no password).
 */
import { ConfigError } from "../errors.ts";

type Env = Record<string, string | undefined>;

export const CREDENTIAL_NAME = "mongodb-password";

/** The password file in effect, if any. */
export function passwordFile(env: Env): string | undefined {
  if (env.MONGODB_PASSWORD_FILE) return env.MONGODB_PASSWORD_FILE;
  if (!env.CREDENTIALS_DIRECTORY) return undefined;
  const path = `${env.CREDENTIALS_DIRECTORY}/${CREDENTIAL_NAME}`;
  try {
    Deno.statSync(path);
    return path;
  } catch {
    return undefined;
  }
}

/** `mongodb://user@host/db` + `pw` → `mongodb://user:pw@host/db` (pure). */
export function withPassword(uri: string, password: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/)([^@/]*)@/.exec(uri);
  if (!match) {
    throw new TypeError(
      "Cannot use the password file: MONGODB_URI names no user (mongodb://USER@host/…)",
    );
  }
  if (match[2].includes(":")) {
    throw new TypeError(
      "Cannot use the password file: MONGODB_URI holds a password already; keep only one",
    );
  }
  return `${match[1]}${match[2]}:${encodeURIComponent(password)}@${uri.slice(match[0].length)}`;
}

/**
 * `uri` with the password from the file in effect; throws ConfigError naming the file and the
 * setting when it cannot be read or used.
 */
export function mongodbUriWithPassword(service: string, uri: string, env: Env): string {
  const file = passwordFile(env);
  if (file === undefined) return uri;
  const setting = env.MONGODB_PASSWORD_FILE
    ? "MONGODB_PASSWORD_FILE"
    : `credential ${CREDENTIAL_NAME}`;
  let password: string;
  try {
    password = Deno.readTextFileSync(file).replace(/\r?\n$/, "");
  } catch (error) {
    throw new ConfigError(service, [
      `${setting}: cannot read ${file}: ${(error as Error).message}`,
    ]);
  }
  if (password === "") throw new ConfigError(service, [`${setting}: ${file} is empty`]);
  try {
    return withPassword(uri, password);
  } catch (error) {
    throw new ConfigError(service, [`${setting}: ${(error as Error).message}`]);
  }
}
