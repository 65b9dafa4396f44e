/**
 * Checks a device's hello against the database, and watches for devices that were disabled or
 * had their token rotated, so live sessions can be ended within seconds on every comm node.
 */
import type { Db } from "mongodb";
import { collections, digestsEqual, sha256Hex } from "@fleetmon/shared/db";
import type { NackCode } from "@fleetmon/shared/protocol";

export type AuthResult =
  | { ok: true; tokenHash: string }
  | { ok: false; code: NackCode; reason: string };

export interface DeviceAuthority {
  authenticate(device: string, token: string): Promise<AuthResult>;
  /** Devices changed since the last call: id → current tokenHash, or null if disabled/gone. */
  changes(): Promise<Map<string, string | null>>;
}

/** How far back `changes` looks, to tolerate clock skew between whoever edits and comm. */
const CHANGE_WINDOW_MS = 60_000;

export function createMongoDeviceAuthority(db: Db, now = () => Date.now()): DeviceAuthority {
  const devices = collections(db).devices;
  let lastPoll = now();
  return {
    async authenticate(device, token) {
      const doc = await devices.findOne(
        { _id: device },
        { projection: { tokenHash: 1, enabled: 1 } },
      );
      if (!doc) return { ok: false, code: "unknown_device", reason: `Unknown device "${device}"` };
      if (!digestsEqual(doc.tokenHash, await sha256Hex(token))) {
        return { ok: false, code: "bad_token", reason: "Token does not match" };
      }
      if (!doc.enabled) {
        return { ok: false, code: "device_disabled", reason: `Device "${device}" is disabled` };
      }
      return { ok: true, tokenHash: doc.tokenHash };
    },
    async changes() {
      const since = new Date(lastPoll - CHANGE_WINDOW_MS);
      lastPoll = now();
      const events = await collections(db).authEvents.find({ at: { $gte: since } }).toArray();
      const ids = [...new Set(events.map((event) => event.device))];
      const result = new Map<string, string | null>(ids.map((id) => [id, null]));
      if (ids.length === 0) return result;
      const current = await devices.find(
        { _id: { $in: ids } },
        { projection: { tokenHash: 1, enabled: 1 } },
      ).toArray();
      for (const device of current) {
        result.set(device._id, device.enabled ? device.tokenHash : null);
      }
      return result;
    },
  };
}
