// Worker processes on one database: many runs finish with the straight results; workers SIGKILLed in
// the middle of steps and tasks are replaced and every run still finishes right, no recorded task runs
// again, no checkpoint is lost or doubled; the database server restarted mid-batch, workers go on.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PostgresBackend } from "otf/scheduler";
import { specNodeFlags } from "../../run.ts";
import { crunchNative, crunchStamped } from "../fixtures/workflows.ts";
import { startDatabase, type TestDatabase } from "./server.ts";

const workerFile = join(import.meta.dirname, "fixtures/worker.ts");
const seed = Number(process.env.OTF_FAULT_SEED ?? Date.now() % 100000);
const long = process.env.OTF_FAULTS_LONG === "1";
const taskMs = 10;

let db: TestDatabase;
let backend: PostgresBackend;
const dir = mkdtempSync(join(tmpdir(), "otf-pg-workers-"));

function random(state: number): () => number {
  return () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
}
const next = random(seed);

interface Worker {
  process: ChildProcess;
  exited: Promise<void>;
}

async function startWorker(killChance = 0): Promise<Worker> {
  const child = spawn(process.execPath, [...specNodeFlags, workerFile, db.url, db.schema, String(killChance), String(Math.floor(next() * 1e9))], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.on("close", (code, signal) => {
    if (code) console.error(`worker exited ${code}: ${stderr}`);
    void signal;
    resolve();
  }));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk) => String(chunk).includes("READY") && resolve());
    void exited.then(() => reject(new Error(`a worker died before it was ready: ${stderr}`)));
  });
  return { process: child, exited };
}

async function stopAll(workers: Worker[]): Promise<void> {
  for (const w of workers) w.process.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
}

interface Started {
  id: string;
  rounds: number;
  log: string;
}

async function startRuns(count: number, name: string): Promise<Started[]> {
  const runs: Started[] = [];
  for (let i = 0; i < count; i++) {
    const rounds = 2 + Math.floor(next() * 6);
    const log = join(dir, `${name}-${i}.log`);
    runs.push({ id: await backend.start(crunchStamped, rounds, log, taskMs), rounds, log });
  }
  return runs;
}

/** Every run's result is the straight one, its checkpoints are exactly its awaits, and no task ran after its result was recorded. */
async function check(runs: Started[]): Promise<{ executions: number; tasks: number; reruns: number }> {
  const figures = { executions: 0, tasks: 0, reruns: 0 };
  for (const run of runs) {
    const trace = await backend.wait(run.id);
    assert.is(trace.status, "completed", `run ${run.id} (seed ${seed})`);
    assert.is(trace.value, crunchNative(run.rounds), `run ${run.id}'s result (seed ${seed})`);
    const awaits = run.rounds + Math.ceil(run.rounds / 3);
    assert.equal(trace.checkpoints.map((c) => c.index), [...Array(awaits).keys()], `run ${run.id}'s checkpoints, none lost or doubled (seed ${seed})`);
    const { rows } = await backend.store.pool.query<{ count: string }>(`select count(*) from ${backend.store.s}.checkpoints where run = $1`, [run.id]);
    assert.is(Number(rows[0]!.count), awaits);
    const recordedAt = new Map<number, number>();
    for (const result of await backend.store.readTaskResults(run.id, awaits)) recordedAt.set(result.args[1] as number, result.finishedAt);
    const executions = existsSync(run.log) ? readFileSync(run.log, "utf8").split("\n").filter(Boolean).map((l) => l.split(" ").map(Number) as [number, number]) : [];
    for (const [key, startedAt] of executions) {
      const recorded = recordedAt.get(key);
      assert.ok(recorded !== undefined, `task ${key} of run ${run.id} ran but has no result`);
      assert.ok(startedAt <= recorded, `task ${key} of run ${run.id} ran again after its result was recorded (seed ${seed})`);
    }
    figures.executions += executions.length;
    figures.tasks += recordedAt.size;
    figures.reruns += executions.length - new Set(executions.map(([k]) => k)).size;
  }
  return figures;
}

test.before(async () => {
  db = await startDatabase();
  backend = await PostgresBackend.connect(db.url, { schema: db.schema, connections: 4, stepLeaseSeconds: 2 });
});

test.after(async () => {
  await backend?.close();
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("three worker processes finish many runs, each with the straight result", async () => {
  const workers = await Promise.all([startWorker(), startWorker(), startWorker()]);
  try {
    const runs = await startRuns(long ? 60 : 12, "plain");
    await backend.waitAll(runs.map((r) => r.id), { timeoutMs: 120_000 });
    const figures = await check(runs);
    assert.is(figures.reruns, 0, "no worker died, so no task ran twice");
  } finally {
    await stopAll(workers);
  }
});

test("workers SIGKILLed in the middle of steps and tasks: every run finishes right, no recorded task runs again", async () => {
  const killChance = long ? 0.04 : 0.01;
  const workers: Worker[] = await Promise.all([startWorker(killChance), startWorker(killChance), startWorker(killChance)]);
  const runs = await startRuns(long ? 160 : 10, "faults");
  let kills = 0;
  let finished = false;
  const done = backend.waitAll(runs.map((r) => r.id), { timeoutMs: long ? 1_800_000 : 150_000 }).finally(() => (finished = true));
  // Replace each worker that died (it killed itself in a step or around a task), and kill some from outside at random moments.
  const keeper = (async () => {
    while (!finished) {
      await new Promise((r) => setTimeout(r, 20 + next() * 200));
      if (next() < (long ? 0.3 : 0.15)) {
        const victim = workers[Math.floor(next() * workers.length)]!;
        victim.process.kill("SIGKILL");
      }
      for (let i = 0; i < workers.length; i++) {
        if (workers[i]!.process.exitCode !== null || workers[i]!.process.signalCode !== null) {
          kills++;
          if (!finished) workers[i] = await startWorker(killChance);
        }
      }
    }
  })();
  try {
    await done;
  } finally {
    finished = true;
    await keeper;
    await stopAll(workers);
  }
  const figures = await check(runs);
  console.log(`figures: faults (seed ${seed}): ${runs.length} runs, ${kills} workers killed, ${figures.tasks} tasks, ${figures.executions} executions, ${figures.reruns} re-runs of tasks in flight at a kill, 0 recorded tasks run again, 0 checkpoints lost or doubled`);
  assert.ok(kills > 0, "some workers were killed");
});

test("the database server restarted in the middle of a batch: workers reconnect and every run finishes", async () => {
  if (process.env.OTF_TEST_DATABASE_URL) return;
  const workers = await Promise.all([startWorker(), startWorker()]);
  try {
    const runs = await startRuns(8, "restart");
    await new Promise((r) => setTimeout(r, 300));
    await db.restart(1000);
    await backend.waitAll(runs.map((r) => r.id), { timeoutMs: 150_000 });
    await check(runs);
  } finally {
    await stopAll(workers);
  }
});

test.run();
