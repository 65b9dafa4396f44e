/** Connecting to MongoDB (production: a mongos router) or FerretDB (the embedded default). */
import { type Db, MongoClient } from "mongodb";

export interface Database {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Shown in the server's logs and currentOp, e.g. "fleetmon-comm/cs0". */
  appName: string;
  /** Used when the URI names no database. */
  defaultDbName?: string;
  serverSelectionTimeoutMs?: number;
}

export async function connectDatabase(uri: string, options: ConnectOptions): Promise<Database> {
  const client = new MongoClient(uri, {
    appName: options.appName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 5_000,
    // Retryable writes need sessions, which FerretDB 1.x does not support.
    retryWrites: false,
  });
  await client.connect();
  const db = client.db(databaseName(uri) ?? options.defaultDbName ?? "fleetmon");
  return { client, db, close: () => client.close() };
}

/** The database named in a mongodb:// URI's path, if any. */
export function databaseName(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match ? decodeURIComponent(match[1]) : undefined;
}
