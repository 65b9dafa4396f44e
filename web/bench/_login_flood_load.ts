/**
 * A load process for the login-flood figure: `--rate` wrong sign-ins per second (open loop: one
 * every 1000/rate ms whatever the answers do, at most `--max-outstanding` in flight) to
 * `--url`/api/login for `--seconds`, each with a new random username, so no account lock saves
 * any hashing. Prints one JSON line: sent, statuses (status → count), dropped (not sent because
 * too many were outstanding).
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    ca: { type: "string" },
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
    "max-outstanding": { type: "string", default: "400" },
  },
});
const print = (value: unknown) => console.log(JSON.stringify(value));
try {
  const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(values.ca!)] });
  const rate = Number(values.rate);
  const until = performance.now() + Number(values.seconds) * 1000;
  const maxOutstanding = Number(values["max-outstanding"]);
  const statuses: Record<string, number> = {};
  let sent = 0;
  let dropped = 0;
  let outstanding = 0;
  const inFlight = new Set<Promise<void>>();
  const one = async () => {
    const username = `flood-${crypto.randomUUID().slice(0, 12)}`;
    const response = await fetch(`${values.url}/api/login`, {
      client,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password: "not the password" }),
    }).catch(() => undefined);
    await response?.body?.cancel();
    const key = response ? String(response.status) : "error";
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const started = performance.now();
  for (let i = 0; performance.now() < until; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (outstanding >= maxOutstanding) {
      dropped++;
      continue;
    }
    outstanding++;
    sent++;
    const job: Promise<void> = one().finally(() => {
      outstanding--;
      inFlight.delete(job);
    });
    inFlight.add(job);
  }
  await Promise.all(inFlight);
  print({ sent, dropped, statuses, seconds: (performance.now() - started) / 1000 });
  client.close();
} catch (error) {
  print({ error: String(error) });
}
