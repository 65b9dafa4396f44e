/**
 * Operators' changes to devices from the web: register one (its token is shown once), rename,
 * set group, tags and expected interval. Each change is written to the device by `_id` and then
 * announced on the change feed, so every web node's index re-reads that device.
 */
import type { Db } from "mongodb";
import { z } from "zod";
import {
  appendDeviceChange,
  collections,
  deviceNameProblem,
  registerDevice,
} from "@fleetmon/shared/db";
import { DEVICE_ID_PATTERN } from "@fleetmon/shared/protocol";
import { ConflictError, NotFoundError } from "../errors.ts";

const LABEL = /^[A-Za-z0-9._:-][A-Za-z0-9._: -]{0,63}$/;
const label = z.string().trim().regex(LABEL, "must be 1-64 of A-Z a-z 0-9 . _ : - and space");
/** The same rule as registering from the CLI: `deviceNameProblem` in shared/db/devices.ts. */
const name = z.string().trim().superRefine((value, ctx) => {
  const problem = deviceNameProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const deviceEditSchema = z.strictObject({
  name: name.optional(),
  group: label.nullable().optional(),
  tags: z.array(label).max(20).optional(),
  expectedIntervalMs: z.number().int().min(1_000).max(86_400_000).nullable().optional(),
});
export type DeviceEdit = z.output<typeof deviceEditSchema>;

export const deviceRegistrationSchema = z.strictObject({
  id: z.string().regex(DEVICE_ID_PATTERN, "must be 1-64 characters of A-Z a-z 0-9 . _ : -"),
  name: name.optional(),
  group: label.optional(),
  tags: z.array(label).max(20).optional(),
});
export type DeviceRegistration = z.output<typeof deviceRegistrationSchema>;

export async function editDevice(db: Db, id: string, edit: DeviceEdit): Promise<void> {
  const set: Record<string, unknown> = { updatedAt: new Date() };
  const unset: Record<string, ""> = {};
  if (edit.name !== undefined) set.name = edit.name;
  if (edit.tags !== undefined) set.tags = [...new Set(edit.tags)];
  for (const key of ["group", "expectedIntervalMs"] as const) {
    if (edit[key] === null) unset[key] = "";
    else if (edit[key] !== undefined) set[key] = edit[key];
  }
  const result = await collections(db).devices.updateOne({ _id: id }, {
    $set: set,
    ...(Object.keys(unset).length > 0 && { $unset: unset }),
  });
  if (result.matchedCount === 0) throw new NotFoundError(`Device "${id}" does not exist`);
  await appendDeviceChange(db, { devices: [id] });
}

/** Registers a device; returns its token, which is never stored and never shown again. */
export async function registerDeviceFromWeb(
  db: Db,
  input: DeviceRegistration,
): Promise<{ id: string; token: string }> {
  let token: string;
  try {
    ({ token } = await registerDevice(db, { id: input.id, name: input.name }));
  } catch (error) {
    if (/already exists/.test((error as Error).message)) {
      throw new ConflictError(`Device "${input.id}" already exists`);
    }
    throw error;
  }
  if (input.group !== undefined || input.tags !== undefined) {
    await collections(db).devices.updateOne({ _id: input.id }, {
      $set: { ...(input.group && { group: input.group }), ...(input.tags && { tags: input.tags }) },
    });
  }
  await appendDeviceChange(db, { devices: [input.id] });
  return { id: input.id, token };
}
