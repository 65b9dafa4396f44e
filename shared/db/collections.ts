/** The collections fleetmon keeps, their document shapes and their indexes (docs/data-model.md). */
import type { Collection, Db } from "mongodb";

export interface DeviceDoc {
  _id: string;
  name: string;
  /** SHA-256 of the token, hex. The token itself is shown once and never stored. */
  tokenHash: string;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Free-form grouping and labels, edited by operators (1-64 of A-Z a-z 0-9 . _ : - and space). */
  group?: string;
  tags?: string[];
  /** How often the device reports; online means seen within 3 of these (default from its rate). */
  expectedIntervalMs?: number;
  /** The newest stored reading, kept by comm once a second (see `writeDeviceStatus`). */
  last?: LastReading;
}

/**
 * `seq` comes first: documents compare field by field, so `$max` on this sub-document keeps the
 * one with the highest seq (shared/db/last_readings.ts).
 */
export interface LastReading {
  seq: number;
  /** The device's timestamp. */
  ts: Date;
  metrics: Record<string, number>;
  /** When comm received it (server clock). */
  seen: Date;
  /** The comm node that took it. */
  node: string;
}

/**
 * A reading as comm holds it between accepting and storing it. Stored, it becomes part of a
 * chunk document (`@fleetmon/shared/readings`, docs/data.md).
 */
export interface ReadingDoc {
  device: string;
  seq: number;
  ts: Date;
  metrics: Record<string, number>;
  receivedAt: Date;
  node: string;
}

export interface UserDoc {
  _id: string;
  passwordHash: string;
  role: "admin" | "operator" | "viewer";
  createdAt: Date;
  /** A disabled user cannot sign in; their sessions and API tokens stop working. */
  disabled?: boolean;
  updatedAt?: Date;
}

export interface SessionDoc {
  /** SHA-256 of the session cookie's value, hex. */
  _id: string;
  user: string;
  role: UserDoc["role"];
  createdAt: Date;
  expiresAt: Date;
}

/**
 * One a device disable, enable or re-key. comm nodes poll this small collection to end the
 * sessions of revoked devices: polling `devices` would make FerretDB scan every device each time.
 */
export interface AuthEventDoc {
  device: string;
  at: Date;
}

/** Failed sign-ins of one account, in a fixed window (web/rate_limit.ts). */
export interface LoginFailureDoc {
  /** SHA-256 of the limiter's key (the username), hex: not kept in the clear. */
  _id: string;
  failures: number;
  startedAt: Date;
  expiresAt: Date;
}

export interface NodeDoc {
  _id: string;
  kind: "comm" | "web";
  version: string;
  address: string;
  host: string;
  pid: number;
  startedAt: Date;
  heartbeatAt: Date;
  stats: Record<string, number>;
}

export interface Collections {
  devices: Collection<DeviceDoc>;
  users: Collection<UserDoc>;
  sessions: Collection<SessionDoc>;
  nodes: Collection<NodeDoc>;
  authEvents: Collection<AuthEventDoc>;
  loginFailures: Collection<LoginFailureDoc>;
}

export function collections(db: Db): Collections {
  return {
    devices: db.collection<DeviceDoc>("devices"),
    users: db.collection<UserDoc>("users"),
    sessions: db.collection<SessionDoc>("sessions"),
    nodes: db.collection<NodeDoc>("nodes"),
    authEvents: db.collection<AuthEventDoc>("auth_events"),
    loginFailures: db.collection<LoginFailureDoc>("login_failures"),
  };
}

/**
 * Creates the indexes every tier relies on; safe to run on every start. Readings need none but
 * `_id` (docs/data.md); `deno task db:init` adds the shard keys' indexes on MongoDB.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  const c = collections(db);
  await Promise.all([
    c.authEvents.createIndex({ at: 1 }, { name: "at" }),
    // Not a TTL index: FerretDB 1.24 lacks them. Web nodes delete expired sessions themselves.
    c.sessions.createIndex({ expiresAt: 1 }, { name: "expires_at" }),
    c.loginFailures.createIndex({ expiresAt: 1 }, { name: "expires_at" }),
  ]);
}
