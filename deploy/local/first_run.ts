/** What a fresh database gets on first start: an admin user and a few demo devices. */
import type { Db } from "mongodb";
import {
  countUsers,
  createUser,
  generateSecret,
  listDevices,
  registerDevice,
} from "@fleetmon/shared/db";

export interface FirstRunResult {
  /** Set when the admin was created now; a generated password is shown only this once. */
  admin?: { username: string; password: string; generated: boolean };
  /** Tokens of demo devices registered now, shown only this once. */
  devices: { id: string; token: string }[];
}

export async function firstRun(db: Db, adminPassword: string | undefined): Promise<FirstRunResult> {
  const result: FirstRunResult = { devices: [] };
  if (await countUsers(db) === 0) {
    const password = adminPassword ?? generateSecret("").slice(0, 20);
    await createUser(db, { username: "admin", password, role: "admin" });
    result.admin = { username: "admin", password, generated: adminPassword === undefined };
  }
  if ((await listDevices(db)).length === 0) {
    for (
      const [id, name] of [["demo-1", "Demo pump"], ["demo-2", "Demo chiller"], [
        "demo-3",
        "Demo gateway",
      ]]
    ) {
      const { token } = await registerDevice(db, { id, name });
      result.devices.push({ id, token });
    }
  }
  return result;
}
