// The `otf` command on PostgreSQL, as a user runs it: two `otf worker` processes on one database,
// `otf run --db` prints what the embedded scheduler prints, runs/trace/inspect/resume read the
// database as they read a directory, and a workflow module a worker cannot import is a problem on
// its run (exit 4, shown by runs and trace), not a job retried for ever.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import pg from "pg";
import { startDatabase, type TestDatabase } from "./server.ts";

const root = join(import.meta.dirname, "../../..");
const bin = join(root, "scheduler/bin.js");
const store = mkdtempSync(join(tmpdir(), "otf-pg-cli-"));
const env = { ...process.env, NO_COLOR: "" };
let db: TestDatabase;
let workers: ChildProcess[] = [];

function otf(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env, encoding: "utf8" }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }));
  });
}
const onDb = (...args: string[]) => otf("--db", db.url, "--schema", db.schema, ...args);

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, "--db", db.url, "--schema", db.schema, "worker", "--steps", "2", "--tasks", "1"], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (chunk) => {
      stderr += chunk;
      if (stderr.includes("taking steps and tasks")) resolve(child);
    });
    child.on("close", (code) => reject(new Error(`otf worker exited ${code}: ${stderr}`)));
  });
}

test.before(async () => {
  db = await startDatabase();
  // The first connection creates the schema; two workers starting together would race for it anyway.
  assert.is((await onDb("runs")).code, 0);
  workers = await Promise.all([startWorker(), startWorker()]);
});

test.after(async () => {
  await Promise.all(workers.map((w) => new Promise((resolve) => (w.on("close", resolve), w.kill("SIGTERM")))));
  await db?.stop();
  rmSync(store, { recursive: true, force: true });
});

let runId = "";

test("otf run --db prints what the embedded scheduler prints for the same workflow", async () => {
  const args = ["run", "examples/primes.ts", "getPrimes", "[5,6,7,8,9,10,11]"];
  const [distributed, embedded] = await Promise.all([onDb(...args), otf("--store", store, ...args)]);
  assert.is(distributed.code, 0, distributed.stderr);
  runId = /run (\S+)/.exec(distributed.stdout)![1]!;
  const embeddedId = /run (\S+)/.exec(embedded.stdout)![1]!;
  assert.is(distributed.stdout.replace(runId, "ID"), embedded.stdout.replace(embeddedId, "ID"));
  assert.match(distributed.stdout, /^completed run \S+ \(7 checkpoints\)\n\[11, 7, 5\]\n$/);
  const json = JSON.parse((await onDb("--json", "run", "examples/primes.ts", "getPrimes", "[2,4]")).stdout);
  assert.equal([json.status, json.value, json.checkpoints], ["completed", [2], 2]);
});

test("otf run --db --no-wait prints the run's id; otf runs, trace and inspect read it from the database", async () => {
  const started = await onDb("run", "examples/primes.ts", "getPrimes", "[7,8,9,11]", "--no-wait");
  assert.is(started.code, 0, started.stderr);
  const id = started.stdout.trim();
  assert.match(id, /^\d{8}-\d{6}-[0-9a-f]{6}$/);
  for (let i = 0; i < 100 && !(await onDb("runs")).stdout.includes(`${id}  completed`); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match((await onDb("runs")).stdout, new RegExp(`${id}  completed\\s+4 checkpoints  examples/primes.ts#getPrimes`));
  const trace = await onDb("trace", id);
  assert.is(trace.code, 0, trace.stderr);
  assert.match(trace.stdout, />\s+20 │     const ok = await futures.pop\(\)!;/);
  assert.match(trace.stdout, /awaited isPrime\(8\) → false/);
  assert.match(trace.stdout, /result \[11, 7\]\n$/);
  assert.is(JSON.parse((await onDb("--json", "trace", id)).stdout).checkpoints.length, 4);
  const inspect = await onDb("inspect", id, "1");
  assert.is(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, new RegExp(`^checkpoint 1 of run ${id}, `));
  assert.match(inspect.stdout, /examples\/primes.ts#getPrimes line 20/);
  assert.match(inspect.stdout, /@otf\.Suspension \{/);
  assert.is((await onDb("inspect", id, "99")).code, 3);
});

test("otf resume --db --from N starts a new run from that checkpoint, with the same result", async () => {
  const dry = await onDb("resume", runId, "--from", "2", "--dry-run");
  assert.is(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /checkpoint 2 of run \S+: the workflow's code is unchanged/);
  const fork = await onDb("resume", runId, "--from", "2");
  assert.is(fork.code, 0, fork.stderr);
  assert.match(fork.stdout, /^completed run (\S+) \(\d checkpoints\)\n\[11, 7, 5\]\n$/);
  assert.not.match(fork.stdout, new RegExp(runId));
  const finished = await onDb("resume", runId);
  assert.is(finished.code, 0);
  assert.match(finished.stdout, new RegExp(`^completed run ${runId} `));
});

test("a workflow module a worker cannot import is a problem on the run, shown by runs and trace, not retried", async () => {
  const run = await onDb("run", "spec/scheduler/postgres/fixtures/unimportable.ts", "doubled", "21");
  assert.is(run.code, 4, run.stdout + run.stderr);
  assert.match(run.stderr, /cannot import .*unimportable\.ts: this module cannot be loaded in a worker/);
  const id = /run (\S+): cannot import/.exec(run.stderr)![1]!;
  assert.match((await onDb("runs")).stdout, new RegExp(`${id}  problem  .*this module cannot be loaded in a worker`));
  const trace = await onDb("trace", id);
  assert.match(trace.stdout, /problem .*cannot import/);
  assert.equal(JSON.parse((await onDb("--json", "trace", id)).stdout).problem.code, "workflow-not-loaded");
  const client = new pg.Client(db.url);
  await client.connect();
  try {
    const { rows } = await client.query(`select state, retry_count from ${db.schema}_queue.job where data->>'run' = $1`, [id]);
    assert.ok(rows.length > 0);
    assert.equal(rows.map((r) => [r.state, r.retry_count]), rows.map(() => ["completed", 0]), "the step job ended once");
  } finally {
    await client.end();
  }
});

test("exit codes on the database: 2 without --db where one is needed, 3 when it cannot be reached", async () => {
  assert.is((await otf("--store", store, "worker")).code, 2);
  assert.is((await otf("--store", store, "run", "examples/primes.ts", "getPrimes", "[2]", "--no-wait")).code, 2);
  const away = await otf("--db", "postgres://otf:otf@127.0.0.1:1/otf", "runs");
  assert.is(away.code, 3);
  assert.match(away.stderr, /cannot use the database postgres:\/\/otf:\S+@127\.0\.0\.1:1\/otf \(schema otf\): connect ECONNREFUSED/);
  assert.not.match(away.stderr, /otf:otf@/, "the password is not shown");
});

test.run();
