// Crash and resume: a child process running a workflow is killed with SIGKILL at random
// checkpoints (and at random moments after them), then resumed, again and again. The result must be
// the straight run's, and no task whose completion was recorded may run again.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Future } from "otf";
import { DirectoryStore } from "otf/scheduler";
import { specNodeFlags } from "../run.ts";
import { crunchNative } from "./fixtures/workflows.ts";

const child = join(import.meta.dirname, "fixtures/crash-child.ts");
const cycles = Number(process.env.OTF_CRASH_CYCLES ?? 2);
const rounds = 8;
const taskMs = 15;

/** A seeded generator, so a failing sequence of kills can be replayed (the seed is printed). */
function random(seed: number): () => number {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

interface Started {
  process: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[]): Started {
  const process_ = spawn(process.execPath, [...specNodeFlags, child, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let stderr = "";
  process_.stdout!.on("data", (chunk) => lines.push(...String(chunk).split("\n").filter(Boolean)));
  process_.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    process_.on("close", (code, signal) => {
      if (code) console.error(stderr);
      resolve({ code, signal });
    }),
  );
  return { process: process_, lines, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kills the child once its run has `checkpoints` checkpoints and `delay` more ms have passed; false if it finished first. */
async function killAt(started: Started, checkpointsDir: string, checkpoints: number, delay: number): Promise<boolean> {
  let finished = false;
  void started.exited.then(() => (finished = true));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (finished) return false;
    if (readdirSync(checkpointsDir).filter((n) => n.endsWith(".pack")).length >= checkpoints) break;
    assert.ok(Date.now() < deadline, `no checkpoint ${checkpoints} within a minute`);
    await sleep(2);
  }
  await sleep(delay);
  if (finished) return false;
  started.process.kill("SIGKILL");
  await started.exited;
  return true;
}

/** The task keys (the `key` argument of `work`) whose completion the store holds, in results or checkpoints. */
async function recordedKeys(store: DirectoryStore, runId: string): Promise<Set<number>> {
  const keys = new Set<number>();
  const count = await store.checkpointCount(runId);
  for (let i = 0; i < count; i++) {
    const { suspension } = await store.readCheckpoint(runId, i);
    for (const value of Object.values(suspension.locals).concat([suspension.awaiting], Object.values(suspension.record.temps))) {
      for (const future of futuresOf(value)) if (future.outcome) keys.add(future.args[1] as number);
    }
    for (const result of await store.readTaskResults(runId, i)) keys.add(result.args[1] as number);
  }
  return keys;
}

function futuresOf(value: unknown): Future[] {
  if (value instanceof Future) return [value];
  if (Array.isArray(value)) return value.flatMap(futuresOf);
  if (value && typeof value === "object" && "items" in value) return futuresOf((value as { items: unknown[] }).items);
  return [];
}

test("killed with SIGKILL at random checkpoints and resumed: same result, no recorded task ran again", async () => {
  const seed = Number(process.env.OTF_CRASH_SEED ?? Date.now() % 100000);
  const next = random(seed);
  const figures = { kills: 0, resumes: 0, reruns: 0, executions: 0, tasks: 0 };
  const total = rounds + Math.ceil(rounds / 3);
  for (let cycle = 0; cycle < cycles; cycle++) {
    const dir = mkdtempSync(join(tmpdir(), "otf-crash-"));
    const log = join(dir, "executions.log");
    const store = new DirectoryStore(join(dir, "store"));
    const executions = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).map(Number) : []);
    let started = start(["run", join(dir, "store"), String(rounds), log, String(taskMs)]);
    const runId = await announced(started);
    const checkpointsDir = join(dir, "store", "runs", runId, "checkpoints");
    const planned = 1 + Math.floor(next() * 3);
    let recorded = new Set<number>();
    let before = 0;
    for (let kills = 0; ; kills++) {
      const current = readdirSync(checkpointsDir).filter((n) => n.endsWith(".pack")).length;
      const killed = kills < planned && current < total && (await killAt(started, checkpointsDir, current + 1 + Math.floor(next() * (total - current)), Math.floor(next() * 3 * taskMs)));
      const exit = await started.exited;
      // Whatever ran since the last resume must not include a task whose completion was recorded before it.
      const again = executions().slice(before).filter((k) => recorded.has(k));
      assert.equal(again, [], `recorded tasks ran again after a resume (seed ${seed})`);
      if (!killed) {
        const done = started.lines.find((l) => l.startsWith("RESULT "));
        assert.ok(done, `the child ended without a result: ${JSON.stringify(exit)} (seed ${seed})`);
        assert.equal(JSON.parse(done.slice(7)).value, crunchNative(rounds), `resumed result equals the straight one (seed ${seed})`);
        break;
      }
      figures.kills++;
      recorded = await recordedKeys(store, runId);
      before = executions().length;
      started = start(["resume", join(dir, "store"), runId]);
      figures.resumes++;
    }
    const all = executions();
    figures.executions += all.length;
    figures.tasks += new Set(all).size;
    figures.reruns += all.length - new Set(all).size;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`crash figures (seed ${seed}): ${cycles} runs, ${figures.kills} kills, ${figures.resumes} resumes, ${figures.tasks} distinct tasks, ${figures.executions} executions, ${figures.reruns} re-runs (tasks in flight at a kill)`);
});

/** The run id the child prints once its run has a first checkpoint. */
async function announced(started: Started): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const line = started.lines.find((l) => l.startsWith("RUN "));
    if (line) return line.slice(4);
    assert.ok(Date.now() < deadline && started.process.exitCode === null, "the child never announced its run");
    await sleep(2);
  }
}

test.run();
