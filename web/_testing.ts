/** Helpers for this folder's tests: seeding the database and signing in through the app. */
import assert from "node:assert/strict";
import type { Db } from "mongodb";
import { createUser, registerDevice } from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { writeTestReading } from "@fleetmon/shared/testing";
import { createApp } from "./app.ts";
import type { AppDeps } from "./context.ts";

export const USER = { username: "admin", password: "correct horse" };
export const ORIGIN = "http://localhost";

export function testApp(db: Db, overrides: Partial<AppDeps> = {}) {
  const logger = createMemoryLogger("web");
  const app = createApp({ db, logger, nodeId: "ws0", ...overrides });
  return Object.assign(app, { logger });
}

export async function seedUser(db: Db): Promise<void> {
  await createUser(db, USER);
}

/** Registers a device and writes `count` readings the way comm does (docs and last* fields). */
export async function seedDevice(
  db: Db,
  id: string,
  options: { count?: number; node?: string; start?: number } = {},
): Promise<{ token: string }> {
  const { token } = await registerDevice(db, { id, name: `Device ${id}` });
  for (let seq = 1; seq <= (options.count ?? 0); seq++) {
    await writeTestReading(db, id, seq, { cpu: seq / 100, temp: 20 + seq }, options);
  }
  return { token };
}

/** The `name=value` part of the response's session cookie. */
export function sessionCookie(response: Response): string {
  const header = response.headers.getSetCookie().find((c) => c.startsWith("__Host-fm_session="));
  assert.ok(header, "a __Host-fm_session cookie is set");
  return header.split(";")[0];
}

export async function apiLogin(
  app: { request: ReturnType<typeof createApp>["request"] },
  credentials = USER,
): Promise<string> {
  const response = await app.request("/api/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(credentials),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return sessionCookie(response);
}

/** Asserts a Location header is relative: no scheme, no host, not even a leading slash. */
export function assertRelativeLocation(response: Response, expected: string): void {
  const location = response.headers.get("location") ?? "";
  assert.ok(!/^[a-z][a-z0-9+.-]*:/i.test(location), `no scheme in ${location}`);
  assert.ok(!location.startsWith("/"), `no host or absolute path in ${location}`);
  assert.equal(location, expected);
}
