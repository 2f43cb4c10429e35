// The PostgreSQL backend with 1, 2 and 4 worker processes on one database: workflow steps/s and
// tasks/s beside pg-boss's own throughput for trivial jobs measured the same way (worker processes,
// batches, LISTEN/NOTIFY), and the latency from a task's completion to its workflow's next step.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { PgBoss } from "pg-boss";
import { PostgresBackend } from "otf/scheduler";
import { startDatabase } from "../spec/scheduler/postgres/server.ts";
import { chain } from "./fixtures/distributed.ts";

const fixture = join(import.meta.dirname, "fixtures/distributed.ts");
const flags = ["--conditions=otf-source", "--import", join(import.meta.dirname, "../transformer/register.ts")];
// About as many steps (40 × 101) as the baseline's jobs, so that both are measured over seconds.
const RUNS = 40;
const STEPS = 100;
const RAW_JOBS = 4000;

const db = await startDatabase();
const schema = "bench";

async function startWorkers(n: number, mode: "worker" | "raw", schemaName: string): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, () => {
      const child = spawn(process.execPath, [...flags, fixture, mode, db.url, schemaName], { stdio: ["ignore", "pipe", "inherit"] });
      return new Promise<ChildProcess>((resolve) => child.stdout!.on("data", (c) => String(c).includes("READY") && resolve(child)));
    }),
  );
}
async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((c) => new Promise((r) => (c.on("close", r), c.kill("SIGKILL")))));
}

async function raw(workers: number): Promise<number> {
  const rawSchema = `raw_${workers}`;
  const boss = new PgBoss({ connectionString: db.url, schema: rawSchema, schedule: false, registerInstance: false });
  boss.on("error", () => {});
  await boss.start();
  await boss.createQueue("raw", { notify: true });
  const children = await startWorkers(workers, "raw", rawSchema);
  const started = performance.now();
  for (let i = 0; i < RAW_JOBS; i += 500) await boss.insert("raw", Array.from({ length: 500 }, (_, j) => ({ data: { i: i + j } })));
  for (;;) {
    const { rows } = await (boss.getDb() as { executeSql: (s: string) => Promise<{ rows: Array<{ n: string }> }> }).executeSql(`select count(*) as n from ${rawSchema}.job where name = 'raw' and state = 'completed'`);
    if (Number(rows[0]!.n) >= RAW_JOBS) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await stop(children);
  await boss.stop({ graceful: false });
  return RAW_JOBS / seconds;
}

const backend = await PostgresBackend.connect(db.url, { schema, connections: 4 });

async function ours(workers: number): Promise<{ steps: number; tasks: number; latencies: number[] }> {
  const children = await startWorkers(workers, "worker", schema);
  // Warm every worker (module loading, and its threads' loading of the task's module) on a batch of
  // runs first: each run stays with the worker that took its first step, so there are many.
  await backend.waitAll(await Promise.all(Array.from({ length: workers * 8 }, () => backend.start(chain, 6))));
  const started = performance.now();
  const ids = await Promise.all(Array.from({ length: RUNS }, () => backend.start(chain, STEPS)));
  await backend.waitAll(ids);
  const seconds = (performance.now() - started) / 1000;
  await stop(children);
  // Each run adds i + 1 for i below STEPS: a throughput is worth quoting only for right results.
  for (const id of ids) {
    const outcome = (await backend.store.readFinish(id))?.outcome;
    if (outcome?.kind !== "value" || outcome.value !== (STEPS * (STEPS + 1)) / 2) throw new Error(`run ${id} ended with ${JSON.stringify(outcome)}`);
  }
  // From the moment a task ended (in its thread) to the resume of its run's next step.
  const latencies: number[] = [];
  for (const id of ids.slice(0, 10)) {
    const ended = new Map((await backend.store.readTaskResults(id, STEPS)).map((r) => [r.future, r.finishedAt]));
    for (let i = 1; i < STEPS; i++) {
      const before = await backend.store.readCheckpoint(id, i - 1);
      const after = await backend.store.readCheckpoint(id, i);
      const future = (before.suspension.awaiting as { id: string }).id;
      latencies.push(after.previous!.resumedAt - ended.get(future)!);
    }
  }
  return { steps: (RUNS * (STEPS + 1)) / seconds, tasks: (RUNS * STEPS) / seconds, latencies };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
console.log(`${RUNS} runs of ${STEPS} steps that each await one trivial task; raw: ${RAW_JOBS} trivial pg-boss jobs`);
console.log("workers | pg-boss jobs/s | otf steps/s | otf tasks/s | steps/raw | completion→next step median / p99 (ms)");
for (const workers of (process.env.OTF_BENCH_WORKERS ?? "1,2,4").split(",").map(Number)) {
  const baseline = await raw(workers);
  const measured = await ours(workers);
  console.log(
    `${String(workers).padStart(7)} | ${baseline.toFixed(0).padStart(14)} | ${measured.steps.toFixed(0).padStart(11)} | ${measured.tasks.toFixed(0).padStart(11)} | ${(measured.steps / baseline).toFixed(2).padStart(8)}x | ${pct(measured.latencies, 50).toFixed(1)} / ${pct(measured.latencies, 99).toFixed(1)}`,
  );
}
await backend.close();
await db.stop();
