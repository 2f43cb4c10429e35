// The PostgreSQL backend in one process: the same results as the embedded scheduler, one step recorded
// when two workers race for a run, a corrupt checkpoint row reported by run and step while others go on.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PostgresBackend, Scheduler, StoreError, type Trace } from "otf/scheduler";
import { advanceRun } from "../../../scheduler/postgres/steps.ts";
import { counter, crunch, crunchNative, failing, retrying, timingOut } from "../fixtures/workflows.ts";
import { startDatabase, type TestDatabase } from "./server.ts";

let db: TestDatabase;
let backend: PostgresBackend;
const dir = mkdtempSync(join(tmpdir(), "otf-pg-backend-"));

test.before(async () => {
  db = await startDatabase();
  backend = await PostgresBackend.connect(db.url, { schema: db.schema, connections: 4 });
});

test.after(async () => {
  await backend?.close();
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function observed(trace: Trace) {
  const error = trace.error as Error | undefined;
  return { status: trace.status, value: trace.value, error: error && { name: error.name, message: error.message, cause: (error.cause as Error | undefined)?.message }, checkpoints: trace.checkpoints.length };
}

test("runs give what the embedded scheduler gives: values, thrown errors with causes, retries, timeouts", async () => {
  const embedded = new Scheduler({ store: false });
  const worker = await backend.work({ tasks: 2 });
  try {
    const cases: Array<[string, (s: { run: Scheduler["run"] }) => Promise<Trace>]> = [
      ["crunch", (s) => s.run(crunch, 5, "/dev/null", 1)],
      ["retrying", (s) => s.run(retrying, join(dir, `flaky-${Math.random()}`), 1)],
      ["gives up", (s) => s.run(retrying, join(dir, `flaky-${Math.random()}`), 5)],
      ["failing", (s) => s.run(failing, "acct-7")],
      ["timingOut", (s) => s.run(timingOut)],
      ["counter", (s) => s.run(counter, 50)],
    ];
    for (const [name, go] of cases) {
      const onPostgres = observed(await go({ run: (w, ...a) => backend.run(w, ...a) }));
      const straight = observed(await go(embedded));
      assert.equal(onPostgres, straight, name);
    }
  } finally {
    await worker.stop();
    await embedded.close();
  }
});

test("a worker stopped while its tasks run records their real results; its runs go on elsewhere", async () => {
  const stopping = await backend.work({ tasks: 2 });
  const id = await backend.start(crunch, 4, "/dev/null", 400);
  // Wait until the first step has deferred its two tasks and the worker is running them.
  for (let waited = 0; (await backend.store.pool.query(`select 1 from ${backend.store.s}.tasks where run = $1`, [id])).rowCount === 0; waited += 20) {
    assert.ok(waited < 30_000, "the first step was taken");
    await new Promise((r) => setTimeout(r, 20));
  }
  await stopping.stop();
  const results = await backend.store.readTaskResults(id, 100);
  assert.is(results.length, 2, "the two tasks in hand finished and were recorded before the worker stopped");
  for (const result of results) assert.is(result.outcome.kind, "value", `task ${result.future} has its own result, not the stopped worker's error`);
  const other = await backend.work({ tasks: 2 });
  try {
    const trace = await backend.wait(id, { timeoutMs: 60_000 });
    assert.is(trace.value, crunchNative(4));
  } finally {
    await other.stop();
  }
});

test("a claimed task whose worker died is kept from the queue while its claim holds, then queued once", async () => {
  const id = await backend.start(crunch, 2, "/dev/null", 1);
  // The first step, taken by a worker that claims the two tasks it defers for a second and dies
  // before it runs them.
  let claimed: string[] = [];
  assert.is(await advanceRun(backend.store, id, { claim: () => 1, onClaimed: (tasks) => (claimed = tasks.map((t) => t.future)) }), "waiting");
  assert.is(claimed.length, 2);
  assert.is(await backend.store.queueLapsedClaims(), 0, "a claim that holds keeps its task from the queue");
  await new Promise((r) => setTimeout(r, 1200));
  const queued = await Promise.all([backend.store.queueLapsedClaims(), backend.store.queueLapsedClaims()]);
  assert.is(queued[0] + queued[1], 2, `each lapsed claim is queued once: ${queued}`);
  assert.is(await backend.store.queueLapsedClaims(), 0);
  const worker = await backend.work({ tasks: 2 });
  try {
    assert.is((await backend.wait(id, { timeoutMs: 60_000 })).value, crunchNative(2));
  } finally {
    await worker.stop();
  }
  const { rows } = await backend.store.pool.query(`select count(*)::int as n from ${backend.store.s}.tasks where run = $1 and claimed_until is not null`, [id]);
  assert.is(rows[0].n, 0, "a recorded task holds no claim");
});

test("a worker renews the claims of tasks that outlast them: each task runs once", async () => {
  const log = join(dir, "renewed.log");
  const worker = await backend.work({ tasks: 2, claimSeconds: 0.5 });
  try {
    const id = await backend.start(crunch, 1, log, 1500);
    assert.is((await backend.wait(id, { timeoutMs: 60_000 })).value, crunchNative(1));
  } finally {
    await worker.stop();
  }
  // Round 0 defers tasks 0 and 1, then 1000; each ran 1.5 s, three times its claim.
  assert.equal(readFileSync(log, "utf8").trim().split("\n").sort(), ["0", "1", "1000"]);
});

test("the run-locking statement that travels with begin quotes any id", async () => {
  const id = await backend.start(counter, 1);
  const odd = [`a"b`, "c\\d", "e,f", "g'h", "{i}", " j "];
  const locked = await backend.store.transaction(async ({ opened: [rows] }) => backend.store.lockedRuns(rows!), [backend.store.lockRunsStatement([...odd, id])]);
  assert.equal([...locked.keys()], [id]);
  await backend.store.pool.query(`insert into ${backend.store.s}.runs (id, workflow, created_at, record) select unnest($1::text[]), 'w', now(), 'r'`, [odd]);
  const all = await backend.store.transaction(async ({ opened: [rows] }) => backend.store.lockedRuns(rows!), [backend.store.lockRunsStatement(odd)]);
  assert.equal([...all.keys()].sort(), [...odd].sort());
  await backend.store.pool.query(`delete from ${backend.store.s}.runs where id = any($1::text[])`, [odd]);
});

test("two workers racing for one run: exactly one step is recorded", async () => {
  const other = await PostgresBackend.connect(db.url, { schema: db.schema, connections: 2 });
  try {
    for (let round = 0; round < 5; round++) {
      const id = await backend.start(counter, 1);
      const outcomes = await Promise.all([advanceRun(backend.store, id), advanceRun(other.store, id)]);
      assert.ok(outcomes.includes("finished"), `one of them went on with the run: ${outcomes}`);
      assert.is(await backend.store.checkpointCount(id), 1, "one checkpoint");
      const trace = await backend.wait(id);
      assert.is(trace.value, 1);
    }
    // The compare-and-set itself: a second commit of the same step is a conflict and writes nothing.
    const id = await backend.start(counter, 3);
    await advanceRun(backend.store, id);
    const count = await backend.store.checkpointCount(id);
    const last = await backend.store.readCheckpoint(id, count - 1);
    const conflict = await backend.store.commitStep({ ...last, index: count - 1 }, []).catch((error: unknown) => error);
    assert.instance(conflict, StoreError);
    assert.is((conflict as StoreError).code, "conflict");
    assert.match((conflict as StoreError).message, `run ${id} checkpoint ${count - 1}`);
    assert.is(await backend.store.checkpointCount(id), count);
  } finally {
    await other.close();
  }
});

test("a corrupt checkpoint row is reported with its run and step; the other runs go on", async () => {
  const broken = await backend.start(crunch, 3, "/dev/null", 1);
  assert.is(await advanceRun(backend.store, broken), "waiting");
  await backend.store.pool.query(`update ${backend.store.s}.checkpoints set body = 'otf-pack 1 {"run": ' where run = $1 and index = 0`, [broken]);
  const others = [await backend.start(crunch, 3, "/dev/null", 1), await backend.start(counter, 20)];
  // Another process's worker: it has not kept the suspension it wrote, so it reads the row.
  const worker = await PostgresBackend.connect(db.url, { schema: db.schema, connections: 2 });
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on("warning", onWarning);
  try {
    const { advanceRun: advance } = await import(`../../../scheduler/postgres/steps.ts?fresh=${Date.now()}`);
    assert.is(await advance(worker.store, broken), "problem");
    await worker.work({ tasks: 2 });
    await backend.waitAll(others, { timeoutMs: 60_000 });
    const failure = await backend.waitAll([broken]).catch((error: unknown) => error);
    assert.instance(failure, StoreError);
    assert.match((failure as Error).message, `run ${broken} checkpoint 0`);
    const listed = (await backend.store.listRuns()).find((r) => r.id === broken);
    assert.match(listed?.problem ?? "", "checkpoint 0");
  } finally {
    process.off("warning", onWarning);
    await worker.close();
  }
});

test.run();
