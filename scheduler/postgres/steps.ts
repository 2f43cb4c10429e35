// A worker's side of a run: take the run's row lock, read its last checkpoint and the results of the
// tasks it awaits, and when the await is settled, resume it and commit the next step, one transaction
// per step, for as long as the next await is settled already.
import type { PoolClient } from "pg";
import { ResumeError, settledNow, type ResumePlan, suspensionFutures, withExecutor, type Future, type Outcome, type Step, type Suspension, type Workflow } from "../../runtime/index.ts";
import { StoreError } from "../errors.ts";
import { parseRecord } from "../files.ts";
import type { Answer, RunRecord, TaskCommand } from "../store.ts";
import { commandFor } from "../task-command.ts";
import type { PostgresStore } from "./store.ts";

export type Advanced =
  /** The run awaits tasks not finished yet (their completions will enqueue its next step). */
  | "waiting"
  | "finished"
  /** Nothing to do: no such run, or it has ended or has a problem already. */
  | "idle"
  /** The run cannot go on; the problem is recorded on it. */
  | "problem";

interface RunRow {
  record: string;
  /** A ResumePlan accepted for the next step (the workflow's code changed since the last checkpoint). */
  plan: string | null;
  checkpoints: number;
  finished: boolean;
  problem: string | null;
}

/** The last suspension a worker committed, per run: the next step need not read and decode it again. */
const latest = new Map<string, { count: number; suspension: Suspension }>();
const LATEST_KEPT = 1000;

export interface StepHooks {
  /** Called after each committed step (for progress, tests and the benchmark). */
  readonly onStep?: (run: string, index: number, finished: boolean) => void;
}

/** A task a step deferred whose job this worker claimed: it runs the task itself, unless it dies. */
export interface ClaimedTask {
  readonly command: TaskCommand;
  /** Its job's id (deleted when the result is recorded). */
  readonly job: string;
}

/** How a worker takes part in its steps beyond the hooks: claiming the tasks they defer. */
export interface StepOptions extends StepHooks {
  /** Asked in a step's transaction about the tasks it defers: seconds to claim them for, or undefined to leave them to the queue. */
  readonly claim?: (count: number) => number | undefined;
  /** Given the tasks claimed by a step, once it has committed. */
  readonly onClaimed?: (tasks: ClaimedTask[]) => void;
  /**
   * Done first in the first step's transaction (recording a claimed task's result). If that
   * transaction fails, advanceRun rethrows rather than handling the error: nothing it did was kept.
   */
  readonly opening?: (client: PoolClient) => Promise<void>;
}

interface Stepped {
  readonly index: number;
  readonly claimed: ClaimedTask[];
}

/** Goes on with `runId` as far as it can without waiting. */
export async function advanceRun(store: PostgresStore, runId: string, options: StepOptions = {}): Promise<Advanced> {
  for (let first = true; ; first = false) {
    let result: Advanced | Stepped;
    const opening = first ? options.opening : undefined;
    try {
      result = await store.transaction(async (client) => {
        await opening?.(client);
        return stepOnce(store, client, runId, options.claim);
      });
    } catch (error) {
      if (opening) throw error;
      if (error instanceof StoreError && error.code === "conflict") return "idle";
      if (!(error instanceof StoreError || error instanceof ResumeError)) throw error;
      latest.delete(runId);
      await store.recordProblem(runId, { code: error.code, message: error.message });
      process.emitWarning(`otf: run ${runId} cannot go on: ${error.message}`);
      return "problem";
    }
    if (typeof result !== "object") return result;
    const kept = latest.get(runId);
    options.onStep?.(runId, result.index, !kept);
    if (result.claimed.length) options.onClaimed?.(result.claimed);
    if (!kept) return "finished";
    if (!settledNow(kept.suspension.awaiting)) return "waiting";
  }
}

/** One step in `client`'s transaction: the index of the checkpoint (or the finish) written, or why none was. */
async function stepOnce(store: PostgresStore, client: PoolClient, runId: string, claim?: (count: number) => number | undefined): Promise<Advanced | Stepped> {
  // For update: completions take this row for share before recording a result, so once we hold it
  // every result committed before is visible, and every later one enqueues another step.
  const { rows } = await client.query<RunRow>(`select record, plan, checkpoints, finish is not null as finished, problem from ${store.s}.runs where id = $1 for update`, [runId]);
  const row = rows[0];
  if (!row || row.finished || row.problem) return "idle";
  const run = store.parseRun(runId, row.record);
  await loadModule(run);
  const index = row.checkpoints;
  const deferred: Future[] = [];
  const collector = { submit: (future: Future) => void deferred.push(future) };
  let step: Step<unknown>;
  let previous: Answer | undefined;
  if (index === 0) {
    const workflow = await startable(run);
    step = withExecutor(collector, () => workflow.start(...run.args));
  } else {
    const kept = latest.get(runId);
    const suspension = kept && kept.count === index ? kept.suspension : (await store.readCheckpoint(runId, index - 1, client)).suspension;
    const outcome = await awaitedOutcome(store, client, runId, index - 1, suspension);
    if (!outcome) {
      latest.set(runId, { count: index, suspension });
      return "waiting";
    }
    previous = { outcome, resumedAt: Date.now() };
    const options = row.plan === null ? {} : { plan: parseRecord<ResumePlan>(`${store.where(runId)} plan`, row.plan, "resume plan", () => undefined) };
    step = withExecutor(collector, () => suspension.resume(outcome, options));
  }
  const commands = await Promise.all(deferred.map((f) => commandFor(runId, f)));
  const claimSeconds = commands.length ? claim?.(commands.length) : undefined;
  const at = Date.now();
  let jobs: string[];
  if (step.kind === "suspended") {
    jobs = await store.writeStep(client, runId, index, { checkpoint: { run: runId, index, at, suspension: step, ...(previous ? { previous } : {}) } }, commands, claimSeconds);
    if (latest.size >= LATEST_KEPT) latest.clear();
    latest.set(runId, { count: index + 1, suspension: step });
  } else {
    const outcome: Outcome = step.kind === "completed" ? { kind: "value", value: step.value } : { kind: "error", error: step.error };
    jobs = await store.writeStep(client, runId, index, { finish: { outcome, at, ...(previous ? { previous } : {}) } }, commands, claimSeconds);
    latest.delete(runId);
  }
  return { index, claimed: claimSeconds ? commands.map((command, i) => ({ command, job: jobs[i]! })) : [] };
}

/**
 * Settles the suspension's pending futures from the stored results; those no task row stands for
 * (a run forked or resumed from elsewhere) get one now. The awaited outcome, if it is known.
 */
async function awaitedOutcome(store: PostgresStore, client: PoolClient, runId: string, index: number, suspension: Suspension): Promise<Outcome | undefined> {
  const pending = suspensionFutures(suspension).filter((f) => !f.outcome);
  const { results, known } = await store.tasksOf(client, runId, [...new Set(pending.map((f) => f.id))]);
  const byFuture = new Map(results.map((r) => [r.future, r.outcome]));
  for (const future of pending) {
    const outcome = byFuture.get(future.id);
    if (outcome) future.settle(outcome);
  }
  const orphans = new Map(pending.filter((f) => !known.has(f.id)).map((f) => [f.id, f]));
  if (orphans.size) await store.insertTasks(client, runId, index, await Promise.all([...orphans.values()].map((f) => commandFor(runId, f))));
  return settledNow(suspension.awaiting);
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

/**
 * The run's workflow module. One that cannot be imported (missing, a syntax error, throwing on load) is
 * a ResumeError, recorded on the run as a problem: retrying the job would fail the same way.
 */
function loadModule(run: RunRecord): Promise<Record<string, unknown>> {
  let loaded = modules.get(run.module);
  if (!loaded) {
    loaded = (import(run.module) as Promise<Record<string, unknown>>).catch((error: unknown) => {
      throw new ResumeError("workflow-not-loaded", `run ${run.id}: cannot import ${run.module}: ${(error as Error)?.message ?? String(error)}`);
    });
    modules.set(run.module, loaded);
    loaded.catch(() => modules.delete(run.module));
  }
  return loaded;
}

async function startable(run: RunRecord): Promise<Workflow> {
  const exports = await loadModule(run);
  const workflow = Object.values(exports).find((e): e is Workflow => typeof e === "function" && (e as Workflow).definition?.id === run.workflow);
  if (!workflow) throw new ResumeError("workflow-not-exported", `run ${run.id} has not started; to start it, ${run.module} must export workflow ${run.workflow}`);
  if (workflow.hash !== run.hash) throw new ResumeError("code-changed", `run ${run.id} was started for another version of ${run.workflow} (source hash ${run.hash}, loaded ${workflow.hash})`);
  return workflow;
}
