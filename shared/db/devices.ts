/** Registering and managing devices. Tokens are returned once and stored only as hashes. */
import type { Db } from "mongodb";
import { collections, type DeviceDoc } from "./collections.ts";
import { generateSecret, sha256Hex } from "./tokens.ts";
import { DEVICE_ID_PATTERN } from "../protocol/frames.ts";

export interface RegisteredDevice {
  device: DeviceDoc;
  token: string;
}

const DUPLICATE_KEY = 11000;

export const DEVICE_NAME_MAX_LENGTH = 100;

/** Why `name` is not a valid device name (1-100 printable characters, no edge spaces), or undefined. */
export function deviceNameProblem(name: string): string | undefined {
  if (name.length === 0) return "must not be empty";
  if ([...name].length > DEVICE_NAME_MAX_LENGTH) {
    return `must be at most ${DEVICE_NAME_MAX_LENGTH} characters`;
  }
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name)) {
    return "must not contain control or invisible formatting characters";
  }
  if (name.trim() !== name) return "must not start or end with spaces";
  return undefined;
}

export async function registerDevice(
  db: Db,
  input: { id: string; name?: string },
  now = new Date(),
): Promise<RegisteredDevice> {
  if (!DEVICE_ID_PATTERN.test(input.id)) {
    throw new TypeError(
      `Cannot register device: id "${input.id}" is not 1-64 of A-Z a-z 0-9 . _ : -`,
    );
  }
  const name = input.name ?? input.id;
  const problem = deviceNameProblem(name);
  if (problem) throw new TypeError(`Cannot register device: name ${problem}`);
  const token = generateSecret("fm_");
  const device: DeviceDoc = {
    _id: input.id,
    name,
    tokenHash: await sha256Hex(token),
    enabled: true,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await collections(db).devices.insertOne(device);
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) {
      throw new Error(`Cannot register device: "${input.id}" already exists`, { cause: error });
    }
    throw error;
  }
  return { device, token };
}

export async function setDeviceEnabled(db: Db, id: string, enabled: boolean): Promise<void> {
  const result = await collections(db).devices.updateOne(
    { _id: id },
    { $set: { enabled, updatedAt: new Date() } },
  );
  if (result.matchedCount === 0) throw new Error(`Cannot change device: "${id}" does not exist`);
  await recordAuthChange(db, id);
}

/** Gives the device a new token; the old one stops working on every comm node within seconds. */
export async function rotateDeviceToken(db: Db, id: string): Promise<string> {
  const token = generateSecret("fm_");
  const result = await collections(db).devices.updateOne(
    { _id: id },
    { $set: { tokenHash: await sha256Hex(token), updatedAt: new Date() } },
  );
  if (result.matchedCount === 0) throw new Error(`Cannot rotate token: "${id}" does not exist`);
  await recordAuthChange(db, id);
  return token;
}

/** Tells comm nodes to re-check this device's live sessions (see AuthEventDoc). */
async function recordAuthChange(db: Db, device: string): Promise<void> {
  await collections(db).authEvents.insertOne({ device, at: new Date() });
}

export function listDevices(db: Db): Promise<DeviceDoc[]> {
  return collections(db).devices.find({}, { projection: { tokenHash: 0 } }).sort({ _id: 1 })
    .toArray();
}
