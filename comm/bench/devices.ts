/** Registers bench devices in bulk and writes their tokens to a JSON file for the load processes. */
import type { Db } from "mongodb";
import { collections, type DeviceDoc, generateSecret, sha256Hex } from "@fleetmon/shared/db";

export async function registerBenchDevices(
  db: Db,
  count: number,
  tokensFile: string,
): Promise<void> {
  const tokens: Record<string, string> = {};
  const docs: DeviceDoc[] = [];
  const now = new Date();
  for (let i = 0; i < count; i++) {
    const id = `bench-${i}`;
    tokens[id] = generateSecret("fm_");
    docs.push({
      _id: id,
      name: id,
      tokenHash: await sha256Hex(tokens[id]),
      enabled: true,
      createdAt: now,
      updatedAt: now,
    });
  }
  for (let i = 0; i < docs.length; i += 1_000) {
    await collections(db).devices.insertMany(docs.slice(i, i + 1_000));
  }
  await Deno.writeTextFile(tokensFile, JSON.stringify(tokens));
}
