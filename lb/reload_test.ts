import assert from "node:assert/strict";
import {
  allUp,
  ENGINES,
  readLine,
  send,
  startBackend,
  testBalancer,
  waitFor,
  whoAnswers,
} from "./_test_helpers.ts";

const spec = (
  backend: { name: string; addr: Deno.NetAddr | { hostname: string; port: number } },
) => ({
  id: backend.name,
  address: { hostname: backend.addr.hostname, port: backend.addr.port },
});

for (const engine of ENGINES) {
  Deno.test(`lb takes a new backend at runtime: it is checked and joins the round robin [${engine}]`, async () => {
    await using a = startBackend("a");
    await using b = startBackend("b");
    await using c = startBackend("c");
    await using lb = await testBalancer([a, b], { engine });
    await allUp(lb);
    const changes = await lb.setBackends([spec(a), spec(b), spec(c)]);
    assert.deepEqual(changes, { added: ["c"], changed: [], removed: [], kept: ["a", "b"] });
    await allUp(lb);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await whoAnswers(lb.addr));
    assert.deepEqual(answers.toSorted(), ["a", "a", "b", "b", "c", "c"]);
    assert.ok(lb.backends().find((x) => x.id === "c")!.lastCheck?.ok, "c has been checked");
  });

  Deno.test(`lb drains a removed backend: its open connection goes on, then it leaves the stats [${engine}]`, async () => {
    await using a = startBackend("a");
    await using b = startBackend("b");
    await using lb = await testBalancer([a, b], { engine });
    await allUp(lb);
    using open = await Deno.connect(lb.addr);
    assert.equal(await readLine(open), "a");
    const changes = await lb.setBackends([spec(b)]);
    assert.deepEqual(changes, { added: [], changed: [], removed: ["a"], kept: ["b"] });
    const removed = lb.backends().find((x) => x.id === "a")!;
    assert.deepEqual([removed.state, removed.active], ["draining", 1]);
    for (let i = 0; i < 3; i++) assert.equal(await whoAnswers(lb.addr), "b");
    await send(open, "still here\n");
    assert.equal(await readLine(open), "still here", "the open connection still relays");
    open.close();
    await waitFor(() => lb.backends().every((x) => x.id !== "a"), "a gone from the stats");
    assert.deepEqual(lb.backends().map((x) => x.id), ["b"]);
  });

  Deno.test(`lb replaces a backend whose address changed, and keeps an unchanged one's counters [${engine}]`, async () => {
    await using a = startBackend("a");
    await using b = startBackend("b");
    await using moved = startBackend("a-moved");
    await using lb = await testBalancer([a, b], { engine });
    await allUp(lb);
    for (let i = 0; i < 2; i++) await whoAnswers(lb.addr);
    const changes = await lb.setBackends([{ ...spec(moved), id: "a" }, spec(b)]);
    assert.deepEqual(changes, { added: [], changed: ["a"], removed: [], kept: ["b"] });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await whoAnswers(lb.addr));
    assert.deepEqual(answers.toSorted(), ["a-moved", "a-moved", "b", "b"]);
    const stats = Object.fromEntries(lb.backends().map((x) => [x.id, x.total]));
    assert.deepEqual(stats, { a: 2, b: 3 }, "the new a starts from zero; b counts on");
  });
}

Deno.test("lb refuses a backend list it cannot run, and changes nothing", async () => {
  await using a = startBackend("a");
  await using lb = await testBalancer([a], { engine: "epoll" });
  await assert.rejects(() => lb.setBackends([]), /no backends/);
  await assert.rejects(() => lb.setBackends([spec(a), spec(a)]), /ids must be unique/);
  await assert.rejects(
    () => lb.setBackends([{ id: "cs9", address: { hostname: "cs9.internal", port: 7101 } }]),
    /the epoll engine cannot run: backend cs9's address cs9.internal is a name/,
  );
  assert.deepEqual(lb.backends().map((x) => x.id), ["a"]);
  assert.equal(await whoAnswers(lb.addr), "a");
});

Deno.test("a removed backend's counters never mix with the one that takes its place", async () => {
  await using a = startBackend("a");
  await using b = startBackend("b");
  await using c = startBackend("c");
  await using lb = await testBalancer([a, b]);
  await allUp(lb);
  for (let i = 0; i < 4; i++) await whoAnswers(lb.addr);
  await waitFor(() => lb.stats().connections.active === 0, "every relay ended");
  await lb.setBackends([spec(b)]); // a leaves, holding no connection: its slot is handed back
  await waitFor(() => lb.backends().length === 1, "a gone");
  await lb.setBackends([spec(b), spec(c)]); // c may get a's slot
  await allUp(lb);
  for (let i = 0; i < 4; i++) await whoAnswers(lb.addr);
  const totals = Object.fromEntries(lb.backends().map((x) => [x.id, x.total]));
  assert.deepEqual(totals, { b: 4, c: 2 });
});
