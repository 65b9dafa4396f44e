/** Dashboard users. Passwords are hashed with argon2id (hash-wasm). */
import type { Db } from "mongodb";
import { argon2id, argon2Verify } from "hash-wasm";
import { collections, type UserDoc } from "./collections.ts";

const ARGON2 = { parallelism: 1, iterations: 3, memorySize: 19_456, hashLength: 32 } as const;

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return await argon2id({ ...ARGON2, password, salt, outputType: "encoded" });
}

export async function createUser(
  db: Db,
  input: { username: string; password: string; role?: UserDoc["role"] },
): Promise<void> {
  if (input.password.length < 8) {
    throw new RangeError("Cannot create user: password must have at least 8 characters");
  }
  await collections(db).users.insertOne({
    _id: input.username,
    passwordHash: await hashPassword(input.password),
    role: input.role ?? "admin",
    createdAt: new Date(),
  });
}

/** The user when the password matches, otherwise null. Takes the same time for unknown users. */
export async function verifyUser(
  db: Db,
  username: string,
  password: string,
): Promise<UserDoc | null> {
  const user = await collections(db).users.findOne({ _id: username });
  const hash = user?.passwordHash ?? await dummyHash();
  const ok = await argon2Verify({ password, hash });
  return ok && user ? user : null;
}

export async function countUsers(db: Db): Promise<number> {
  return await collections(db).users.countDocuments({});
}

// Verified against when the user does not exist, so timing does not reveal who does.
let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(crypto.randomUUID());
  return dummy;
}
