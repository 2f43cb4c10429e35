// A worker's side of runs: in one transaction for a batch of runs, take their row locks, read their
// last checkpoints and the results of the tasks they await, resume those whose await is settled and
// record their next steps together; then go on, batch by batch, with those whose next await is
// settled already. A batch costs two round trips whatever its size (one with begin, one with
// commit) when this worker took the runs' last steps itself: that is the throughput.
import { ResumeError, settledNow, type ResumePlan, suspensionFutures, withExecutor, type Future, type Outcome, type Step, type Suspension, type Workflow } from "../../runtime/index.ts";
import { StoreError } from "../errors.ts";
import { parseRecord } from "../files.ts";
import type { Answer, RunRecord, TaskCommand, TaskResult } from "../store.ts";
import { commandFor } from "../task-command.ts";
import { parseCheckpoint, parseResult, type PostgresStore, type RunRow, type StepWrite, type TaskRow, type Transaction } from "./store.ts";

export type Advanced =
  /** The run awaits tasks not finished yet (their completions will take its next step). */
  | "waiting"
  | "finished"
  /** Nothing to do: no such run, or it has ended or has a problem already. */
  | "idle"
  /** The run cannot go on; the problem is recorded on it. */
  | "problem";

/** The last suspension a worker committed, per run: the next step need not read and decode it again. */
const latest = new Map<string, { count: number; suspension: Suspension }>();
const LATEST_KEPT = 1000;

export interface StepHooks {
  /** Called after each committed step (for progress, tests and the benchmark). */
  readonly onStep?: (run: string, index: number, finished: boolean) => void;
}

/** How a worker takes part in its steps beyond the hooks: claiming the tasks they defer. */
export interface StepOptions extends StepHooks {
  /** Asked in a step's transaction about the tasks it defers: seconds to claim them for, or undefined to leave them to the queue. */
  readonly claim?: (count: number) => number | undefined;
  /** Given the tasks claimed by a batch's steps, once it has committed: this worker runs them, unless it dies. */
  readonly onClaimed?: (tasks: TaskCommand[]) => void;
}

export interface AdvancedRuns {
  readonly runs: Map<string, Advanced>;
  /** The results written (`run/future`); the others had one recorded already. */
  readonly recorded: Set<string>;
}

type RunStep =
  | { readonly kind: "idle" | "waiting" }
  | { readonly kind: "problem"; readonly error: StoreError | ResumeError }
  | { readonly kind: "stepped"; readonly index: number; readonly finished: boolean; readonly claimed: readonly TaskCommand[] };

/** Goes on with one run as far as it can without waiting. */
export async function advanceRun(store: PostgresStore, runId: string, options: StepOptions = {}): Promise<Advanced> {
  return (await advanceRuns(store, [runId], options)).runs.get(runId)!;
}

/**
 * Goes on with the runs as far as each can without waiting, a transaction per batch. The claimed
 * tasks' `results` are recorded in the first; if that transaction fails, this throws and nothing of
 * it was kept: the caller records the results on their own.
 */
export async function advanceRuns(store: PostgresStore, runIds: readonly string[], options: StepOptions = {}, results: readonly TaskResult[] = []): Promise<AdvancedRuns> {
  const runs = new Map<string, Advanced>();
  let recorded = new Set<string>();
  let batch = [...new Set([...runIds, ...results.map((r) => r.run)])];
  for (let first = true; batch.length; first = false) {
    let steps: Map<string, RunStep>;
    try {
      // With begin, in one round trip: the runs' locks, the results to record, and the results their
      // last suspensions (this worker's own, kept) await.
      const recording = first && results.length > 0;
      const asked = awaitedByKept(batch);
      const opening = [store.lockRunsStatement(batch), ...(recording ? [store.recordResultsStatement(results)] : []), ...(asked.length ? [store.taskRowsStatement(asked)] : [])];
      steps = await store.transaction(async (tx) => {
        const [locks, ...rest] = tx.opened;
        if (recording) recorded = store.recordedResults(rest.shift()!);
        const known: KnownTaskRows = { asked: new Set(asked.map((a) => `${a.run}/${a.future}`)), rows: asked.length ? (rest.shift() as TaskRow[]) : [] };
        return stepBatch(store, tx, batch, store.lockedRuns(locks!), options.claim, known);
      }, opening);
    } catch (error) {
      // The suspensions kept for these runs may hold results read in the rolled-back transaction.
      for (const run of batch) latest.delete(run);
      if (first && results.length) throw error;
      const conflict = error instanceof StoreError && error.code === "conflict";
      if (batch.length === 1) {
        // Another worker stepped the run meanwhile; any other failure is the job's, to retry.
        if (!conflict) throw error;
        runs.set(batch[0]!, "idle");
      } else {
        // One run of the batch was stepped elsewhere meanwhile, or cannot be written: each on its own.
        const alone = await Promise.all(batch.map((run) => advanceRuns(store, [run], options)));
        for (const result of alone) for (const [run, advanced] of result.runs) runs.set(run, advanced);
      }
      break;
    }
    const claimed: TaskCommand[] = [];
    const next: string[] = [];
    for (const [run, step] of steps) {
      if (step.kind === "problem") {
        latest.delete(run);
        await store.recordProblem(run, { code: step.error.code, message: step.error.message });
        process.emitWarning(`otf: run ${run} cannot go on: ${step.error.message}`);
        runs.set(run, "problem");
      } else if (step.kind !== "stepped") {
        runs.set(run, step.kind);
      } else {
        options.onStep?.(run, step.index, step.finished);
        claimed.push(...step.claimed);
        const kept = latest.get(run);
        if (step.finished) runs.set(run, "finished");
        else if (kept && settledNow(kept.suspension.awaiting)) next.push(run);
        else runs.set(run, "waiting");
      }
    }
    if (claimed.length) options.onClaimed?.(claimed);
    batch = next;
  }
  return { runs, recorded };
}

/** The run/future pairs the suspensions kept for `runs` await, not settled yet. */
function awaitedByKept(runs: readonly string[]): Array<{ run: string; future: string }> {
  const pairs: Array<{ run: string; future: string }> = [];
  for (const run of runs) {
    const kept = latest.get(run);
    if (!kept) continue;
    const futures = new Set(suspensionFutures(kept.suspension).flatMap((f) => (f.outcome ? [] : [f.id])));
    for (const future of futures) pairs.push({ run, future });
  }
  return pairs;
}

/** Task rows read with begin: the pairs asked for (a pair without a row has no task row), and the rows. */
interface KnownTaskRows {
  readonly asked: ReadonlySet<string>;
  readonly rows: readonly TaskRow[];
}

/** Where one run of a batch stands while the batch is read: its record, its last suspension. */
interface Reading {
  readonly id: string;
  readonly row: RunRow;
  readonly run: RunRecord;
  suspension?: Suspension;
}

/** The steps of a batch of runs, locked by the caller, in `client`'s transaction. */
async function stepBatch(store: PostgresStore, tx: Transaction, runIds: readonly string[], locked: Map<string, RunRow>, claim: StepOptions["claim"], known: KnownTaskRows): Promise<Map<string, RunStep>> {
  const { client } = tx;
  const steps = new Map<string, RunStep>();
  // A problem with one run (its module cannot be loaded, its checkpoint is corrupt) is that run's only.
  const guard = async <T>(id: string, work: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof StoreError || error instanceof ResumeError)) throw error;
      steps.set(id, { kind: "problem", error });
      return undefined;
    }
  };

  const readings: Reading[] = [];
  for (const id of runIds) {
    const row = locked.get(id);
    if (!row || row.finished || row.problem) {
      steps.set(id, { kind: "idle" });
      continue;
    }
    const run = await guard(id, async () => {
      const record = store.parseRun(id, row.record);
      await loadModule(record);
      return record;
    });
    if (run) readings.push({ id, row, run });
  }

  // Last suspensions: kept from this worker's own last step, or read, all in one query.
  const unread = readings.filter((r) => {
    if (r.row.checkpoints === 0) return false;
    const kept = latest.get(r.id);
    if (kept && kept.count === r.row.checkpoints) r.suspension = kept.suspension;
    return !r.suspension;
  });
  const bodies = await store.checkpointBodies(client, unread.map((r) => ({ run: r.id, index: r.row.checkpoints - 1 })));
  for (const reading of unread) {
    const index = reading.row.checkpoints - 1;
    const body = bodies.get(reading.id);
    reading.suspension = await guard(reading.id, () => {
      if (body === undefined) throw new StoreError("not-found", store.where(reading.id, index), "no such checkpoint");
      return parseCheckpoint(store.where(reading.id, index), body).suspension;
    });
  }

  // The results of the futures they await, all in one query; futures no task row stands for (a run
  // forked or resumed from elsewhere) get one now.
  const pending = new Map<Reading, Future[]>();
  for (const r of readings) if (r.suspension) pending.set(r, suspensionFutures(r.suspension).filter((f) => !f.outcome));
  const wanted = [...pending].flatMap(([{ id: run }, futures]) => [...new Set(futures.map((f) => f.id))].map((future) => ({ run, future })));
  const read = await store.taskRows(client, wanted.filter((w) => !known.asked.has(`${w.run}/${w.future}`)));
  const byKey = new Map([...known.rows, ...read].map((row) => [`${row.run}/${row.future}`, row]));
  const orphans: Array<{ command: TaskCommand; checkpoint: number }> = [];
  for (const [reading, futures] of pending) {
    const run = reading.id;
    await guard(run, async () => {
      const missing = new Map<string, Future>();
      for (const future of futures) {
        const row = byKey.get(`${run}/${future.id}`);
        if (!row) missing.set(future.id, future);
        else if (row.result !== null) future.settle(parseResult(`${store.where(run)} task ${future.id}`, row.result).outcome);
      }
      for (const future of missing.values()) orphans.push({ command: await commandFor(run, future), checkpoint: reading.row.checkpoints - 1 });
    });
  }
  if (orphans.length) await store.insertTasks(client, orphans);

  // Resume each run whose await is settled; the others wait for their tasks.
  const writes: StepWrite[] = [];
  for (const reading of readings) {
    const { id, row, run } = reading;
    if (steps.has(id)) continue;
    await guard(id, async () => {
      const deferred: Future[] = [];
      const collector = { submit: (future: Future) => void deferred.push(future) };
      const index = row.checkpoints;
      let step: Step<unknown>;
      let previous: Answer | undefined;
      if (index === 0) {
        const workflow = await startable(run);
        step = withExecutor(collector, () => workflow.start(...run.args));
      } else {
        const suspension = reading.suspension!;
        const outcome = settledNow(suspension.awaiting);
        if (!outcome) {
          latest.set(id, { count: index, suspension });
          steps.set(id, { kind: "waiting" });
          return;
        }
        previous = { outcome, resumedAt: Date.now() };
        const options = row.plan === null ? {} : { plan: parseRecord<ResumePlan>(`${store.where(id)} plan`, row.plan, "resume plan", () => undefined) };
        step = withExecutor(collector, () => suspension.resume(outcome, options));
      }
      const commands = await Promise.all(deferred.map((f) => commandFor(id, f)));
      const claimSeconds = commands.length ? claim?.(commands.length) : undefined;
      const at = Date.now();
      const answered = previous ? { previous } : {};
      if (step.kind === "suspended") {
        writes.push({ run: id, index, step: { checkpoint: { run: id, index, at, suspension: step, ...answered } }, deferred: commands, claimSeconds });
      } else {
        const outcome: Outcome = step.kind === "completed" ? { kind: "value", value: step.value } : { kind: "error", error: step.error };
        writes.push({ run: id, index, step: { finish: { outcome, at, ...answered } }, deferred: commands, claimSeconds });
      }
    });
  }

  await store.writeSteps(tx, writes);
  if (latest.size >= LATEST_KEPT) latest.clear();
  for (const write of writes) {
    const finished = "finish" in write.step;
    if ("checkpoint" in write.step) latest.set(write.run, { count: write.index + 1, suspension: write.step.checkpoint.suspension });
    else latest.delete(write.run);
    steps.set(write.run, { kind: "stepped", index: write.index, finished, claimed: write.claimSeconds ? write.deferred : [] });
  }
  return steps;
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
