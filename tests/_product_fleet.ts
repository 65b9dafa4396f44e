/**
 * A small fleet that looks like a real one, for the product's browser test: devices in groups
 * with tags, most reporting (cpu, memory, temperature, network), a few offline or never seen,
 * and one device with twenty minutes of readings and a 2.5-minute outage in the middle.
 */
import type { Db } from "mongodb";
import { appendDeviceChange, collections, registerDevice } from "@fleetmon/shared/db";
import { writeTestReading } from "@fleetmon/shared/testing";

const GROUPS = ["hall-1", "hall-2", "roof", "basement"];
const KINDS = ["boiler", "pump", "chiller", "meter"];

function metrics(i: number, t: number) {
  const cpu = 0.25 + 0.2 * Math.sin(t / 90 + i) + 0.05 * Math.sin(t / 7 + i * 3);
  return {
    cpu_ratio: Number(cpu.toFixed(4)),
    mem_used_bytes: Math.round((3.1 + 0.4 * Math.sin(t / 300 + i)) * 2 ** 30),
    temp_c: Number((41 + 30 * cpu).toFixed(1)),
    net_rx_bytes: Math.round(1.2e6 * t + i * 1e5),
    net_tx_bytes: Math.round(3.1e5 * t + i * 1e4),
  };
}

export async function seedProductFleet(db: Db, count = 36): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const kind = KINDS[i % KINDS.length];
    const id = `${kind}-${i + 1}`;
    await registerDevice(db, {
      id,
      name: `${kind[0].toUpperCase()}${kind.slice(1)} ${i + 1}, ${
        GROUPS[(i >> 1) % GROUPS.length]
      }`,
    });
    await collections(db).devices.updateOne({ _id: id }, {
      $set: {
        group: GROUPS[(i >> 1) % GROUPS.length],
        tags: i % 5 === 0 ? [kind, "critical"] : [kind],
      },
    });
    if (i % 9 === 8) continue; // never seen
    const start = i % 7 === 6 ? now - 3_600_000 : now - 20_000; // offline: an hour ago
    for (let seq = 1; seq <= 2; seq++) {
      await writeTestReading(db, id, seq, metrics(i, seq * 10), { start });
    }
  }
  await appendDeviceChange(db, { devices: [] });
}

/** Twenty minutes of readings every 10 s, none from minute 8.5 to 11. */
export async function seedHistory(db: Db, id: string): Promise<void> {
  const start = Date.now() - 20 * 60_000;
  for (let s = 0; s < 20 * 60; s += 10) {
    if (s >= 510 && s < 660) continue;
    await writeTestReading(db, id, s + 10, metrics(3, s), { start: start - 10_000 });
  }
}
