// The scheduler: tasks/s of 10,000 trivial tasks deferred from one workflow beside piscina running
// them directly; resume cost at step 100 vs 100,000; checkpoints/s with durable checkpointing on and off.
import { mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { Piscina } from "piscina";
import { withExecutor } from "otf";
import { DirectoryStore, newRunId, Scheduler, type TaskExecutor } from "otf/scheduler";
import { counter, fanOut } from "./fixtures/scheduler-workflows.ts";

const TASKS = 10_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: Array<[string, string, string]> = [];
const dir = mkdtempSync(join(tmpdir(), "otf-bench-"));

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

// 1. Throughput: the workflow's tasks vs the pool library alone, same threads, same task.
const threads = availableParallelism();
const pool = new Piscina({ filename: new URL("./fixtures/raw-task.ts", import.meta.url).href, minThreads: threads, maxThreads: threads });
const raw: number[] = [];
await Promise.all(Array.from({ length: 1000 }, (_, i) => pool.run(i)));
for (let r = 0; r < 5; r++) raw.push(await time(() => Promise.all(Array.from({ length: TASKS }, (_, i) => pool.run(i)))));
await pool.destroy();
for (const [label, store] of [["in memory", false], ["durable directory store", join(dir, "fan")]] as const) {
  const scheduler = new Scheduler({ store });
  await scheduler.run(fanOut, 1000);
  const ours: number[] = [];
  for (let r = 0; r < 5; r++) ours.push(await time(() => scheduler.run(fanOut, TASKS)));
  await scheduler.close();
  const perSecond = (ms: number) => Math.round((TASKS / ms) * 1000).toLocaleString("en");
  rows.push([`${TASKS.toLocaleString("en")} tasks from one workflow (${label})`, `${perSecond(median(ours))} tasks/s vs piscina ${perSecond(median(raw))} tasks/s`, `${(median(raw) / median(ours)).toFixed(2)}x (target ≥ 0.7x)`]);
}

// 2. Resume cost: a run stopped at checkpoint N-1 of N, resumed (find the last checkpoint, read it,
//    one step, write the result), at N = 100 and N = 100,000.
const noTasks: TaskExecutor = { onCompletion() {}, submit() { throw new Error("no tasks here"); }, async close() {} };

/** A stored run of `counter(steps)` with all its checkpoints and no result, as a crash leaves it. */
async function history(root: string, steps: number): Promise<string> {
  const store = new DirectoryStore(root, { durable: false });
  const definition = counter.definition!;
  const id = newRunId();
  await store.createRun({ id, workflow: definition.id, hash: definition.hash, module: definition.module, args: [steps], createdAt: Date.now() });
  let step = counter.start(steps);
  for (let index = 0; step.kind === "suspended"; index++) {
    const suspension = step;
    await store.commitStep({ run: id, index, at: Date.now(), suspension }, []);
    step = withExecutor(noTasks, () => suspension.resume({ kind: "value", value: index + 1 }));
  }
  await store.close();
  return id;
}

// Both histories are resumed in turn, so that the disk's noise falls on both alike.
const resumeMs: Record<number, number> = {};
const runs = await Promise.all([100, 100_000].map(async (steps) => ({ steps, root: join(dir, `resume-${steps}`), id: "", samples: [] as number[] })));
for (const run of runs) run.id = await history(run.root, run.steps);
for (let r = 0; r < 41; r++) {
  for (const run of runs) {
    const scheduler = new Scheduler({ store: new DirectoryStore(run.root), executor: noTasks });
    const ms = await time(() => scheduler.resume(run.id));
    if (r > 0) run.samples.push(ms);
    await scheduler.close();
    unlinkSync(join(run.root, "runs", run.id, "finish.pack"));
  }
}
for (const run of runs) {
  resumeMs[run.steps] = median(run.samples);
  rmSync(run.root, { recursive: true, force: true });
}
rows.push(["resume at step 100", `${resumeMs[100]!.toFixed(2)} ms`, ""]);
rows.push(["resume at step 100,000", `${resumeMs[100_000]!.toFixed(2)} ms`, `${(resumeMs[100_000]! / resumeMs[100]!).toFixed(2)}x of step 100 (target ≤ 1.2)`]);

// 3. Checkpoints per second: a loop of trivial steps kept in memory, written without and with fsync.
const STEPS = 2000;
const perSecond: Record<string, number> = {};
for (const [label, store] of [
  ["off (in memory)", () => false as const],
  ["written, no fsync", () => new DirectoryStore(join(dir, `nosync-${Math.random()}`), { durable: false })],
  ["durable (fsync'd)", () => new DirectoryStore(join(dir, `durable-${Math.random()}`))],
] as const) {
  const samples: number[] = [];
  for (let r = 0; r < 3; r++) {
    const scheduler = new Scheduler({ store: store(), executor: noTasks });
    samples.push(await time(() => scheduler.run(counter, STEPS)));
    await scheduler.close();
  }
  perSecond[label] = (STEPS / median(samples)) * 1000;
  rows.push([`checkpointing ${label}`, `${Math.round(perSecond[label]!).toLocaleString("en")} checkpoints/s (${(median(samples) / STEPS).toFixed(3)} ms/step)`, label.startsWith("off") ? "" : `${(perSecond[label]! / perSecond["off (in memory)"]!).toFixed(3)}x of off`]);
}
rmSync(dir, { recursive: true, force: true });

const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), ["case", "measured", "ratio"][i]!.length));
const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
console.log(`scheduler, Node ${process.versions.node}, ${threads} threads, medians`);
console.log(line(["case", "measured", "ratio"]));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const row of rows) console.log(line(row));
