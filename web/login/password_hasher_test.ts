import assert from "node:assert/strict";
import { hashPassword } from "@fleetmon/shared/db";
import { BusyError } from "../errors.ts";
import { createInlineHasher, createWorkerHasher, type PasswordHasher } from "./password_hasher.ts";

const HASHERS: Record<string, () => PasswordHasher> = {
  inline: () => createInlineHasher({ maxQueued: 2 }),
  worker: () => createWorkerHasher({ workers: 1, maxQueued: 2 }),
};
const hash = await hashPassword("correct horse");

for (const [name, make] of Object.entries(HASHERS)) {
  Deno.test(`${name} hasher verifies the right password and refuses a wrong or malformed one`, async () => {
    const hasher = make();
    try {
      assert.equal(await hasher.verify("correct horse", hash), true);
      assert.equal(await hasher.verify("wrong horse", hash), false);
      assert.equal(await hasher.verify("correct horse", "not-a-hash"), false);
      assert.equal(await hasher.verify("s3cret-pass", await hasher.hash("s3cret-pass")), true);
    } finally {
      hasher.close();
    }
  });

  Deno.test(`${name} hasher refuses at once past its queue, but lets a trusted device queue ahead`, async () => {
    const hasher = make();
    try {
      const order: string[] = [];
      const job = (label: string, priority = false) =>
        hasher.verify("x", hash, { priority }).then(() => order.push(label));
      const accepted = [job("running"), job("queued-1"), job("queued-2")];
      await assert.rejects(hasher.verify("x", hash), BusyError);
      assert.deepEqual(hasher.load(), { running: 1, queued: 2 });
      const trusted = job("trusted", true);
      await Promise.all([...accepted, trusted]);
      assert.deepEqual(order, ["running", "trusted", "queued-1", "queued-2"]);
    } finally {
      hasher.close();
    }
  });
}

Deno.test("the worker hasher leaves the event loop free while it hashes", async () => {
  const hasher = createWorkerHasher({ workers: 1 });
  try {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all([1, 2, 3].map(() => hasher.verify("wrong", hash)));
    clearInterval(timer);
    assert.ok(ticks >= 10, `timers ran ${ticks} times during three argon2id checks`);
  } finally {
    hasher.close();
  }
});
