/**
 * The password hasher's worker: runs argon2id (hash-wasm) off the main thread, one job at a time.
 * Messages in: `{id, op: "verify", password, hash}` or `{id, op: "hash", password}`; out:
 * `{id, result}` (boolean or encoded hash) or `{id, error}`.
 */
import { argon2Verify } from "hash-wasm";
import { hashPassword } from "@fleetmon/shared/db";

interface Job {
  id: number;
  op: "verify" | "hash";
  password: string;
  hash?: string;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Job>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async (event) => {
  const { id, op, password, hash } = event.data;
  try {
    const result = op === "verify"
      ? await argon2Verify({ password, hash: hash ?? "" })
      : await hashPassword(password);
    scope.postMessage({ id, result });
  } catch (error) {
    scope.postMessage({ id, error: String((error as Error)?.message ?? error) });
  }
};
