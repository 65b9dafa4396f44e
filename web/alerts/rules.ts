/** Creating, changing and deleting alert rules and silences; input validated by the schemas. */
import type { Db } from "mongodb";
import { generateSecret } from "@fleetmon/shared/db";
import { NotFoundError } from "../errors.ts";
import { parseInput } from "../errors.ts";
import { type AlertRule, ruleInputSchema, type Silence, silenceInputSchema } from "./model.ts";
import { alertCollections } from "./store.ts";

export async function getRule(db: Db, id: string): Promise<AlertRule> {
  const rule = await alertCollections(db).rules.findOne({ _id: id });
  if (!rule) throw new NotFoundError(`Alert rule "${id}" does not exist`);
  return rule;
}

export async function createRule(
  db: Db,
  input: unknown,
  by: string,
  now = new Date(),
): Promise<AlertRule> {
  const parsed = parseInput("alert rule", ruleInputSchema, input);
  const rule: AlertRule = {
    ...parsed,
    _id: crypto.randomUUID().slice(0, 8),
    webhookSecret: parsed.webhookSecret ?? generateSecret("whsec_"),
    createdAt: now,
    updatedAt: now,
    createdBy: by,
  };
  await alertCollections(db).rules.insertOne(rule);
  return rule;
}

/** Replaces a rule's settings; the id, secret (unless given), creation and alerts stay. */
export async function updateRule(
  db: Db,
  id: string,
  input: unknown,
  now = new Date(),
): Promise<AlertRule> {
  const parsed = parseInput("alert rule", ruleInputSchema, input);
  const old = await getRule(db, id);
  const rule: AlertRule = {
    ...old,
    ...parsed,
    webhookSecret: parsed.webhookSecret ?? old.webhookSecret,
    updatedAt: now,
  };
  await alertCollections(db).rules.replaceOne({ _id: id }, rule);
  return rule;
}

/** Deletes a rule; its firing alerts resolve at the next evaluation. History stays. */
export async function deleteRule(db: Db, id: string): Promise<void> {
  const { deletedCount } = await alertCollections(db).rules.deleteOne({ _id: id });
  if (deletedCount === 0) throw new NotFoundError(`Alert rule "${id}" does not exist`);
}

export async function createSilence(
  db: Db,
  input: unknown,
  by: string,
  now = new Date(),
): Promise<Silence> {
  const parsed = parseInput("silence", silenceInputSchema, input);
  if (parsed.rule) await getRule(db, parsed.rule);
  const silence: Silence = {
    _id: crypto.randomUUID().slice(0, 8),
    ...(parsed.rule && { rule: parsed.rule }),
    ...(parsed.device && { device: parsed.device }),
    startsAt: now,
    endsAt: new Date(now.getTime() + parsed.durationMs),
    comment: parsed.comment,
    createdBy: by,
  };
  await alertCollections(db).silences.insertOne(silence);
  return silence;
}

/** Ends a silence now (kept, so it shows as expired). */
export async function endSilence(db: Db, id: string, now = new Date()): Promise<void> {
  const { matchedCount } = await alertCollections(db).silences.updateOne(
    { _id: id },
    { $set: { endsAt: now } },
  );
  if (matchedCount === 0) throw new NotFoundError(`Silence "${id}" does not exist`);
}
