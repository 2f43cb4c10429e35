// The Scheduler: runs workflows durably. Orchestration happens in this thread, step by step;
// tasks go to an executor (worker threads by default); every checkpoint goes to a store.
import { randomBytes } from "node:crypto";
import { loadedWorkflow, ResumeError, type ResumePlan, type Workflow } from "../runtime/index.ts";
import { DirectoryStore } from "./directory-store.ts";
import { StoreError } from "./errors.ts";
import type { TaskExecutor } from "./executor.ts";
import { MemoryStore } from "./memory-store.ts";
import { PoolExecutor } from "./pool.ts";
import { RunLoop, type Progress } from "./run-loop.ts";
import type { CheckpointRecord, FinishRecord, RunRecord, Store, TaskResult } from "./store.ts";
import { readTrace, Trace } from "./trace.ts";

export interface SchedulerOptions {
  /** Where runs are kept: a Store, a directory (default `.otf`), or `false` to keep them in memory only. */
  readonly store?: Store | string | false;
  /** Who runs tasks (default: a pool of worker threads, one per core). */
  readonly executor?: TaskExecutor;
  /** Told at every checkpoint and task completion. */
  readonly onProgress?: (progress: Progress) => void;
}

export interface ResumeOptions {
  /**
   * The checkpoint to go on from (default: the run's last). From an earlier one, or from a finished
   * run, resuming starts a new run, so nothing stored is overwritten.
   */
  readonly from?: number;
  /**
   * When the workflow's code changed since the checkpoint: the plan from `planResume(runId, { from })`,
   * reviewed and accepted. Without it a changed workflow is refused (`code-changed`), as is a plan
   * with problems, before anything is written or started.
   */
  readonly plan?: ResumePlan;
}

/** What `resume` would do with a run: return its stored result, start it again, or go on from a checkpoint. */
export type ResumeTarget =
  | { readonly kind: "finished"; readonly run: RunRecord; readonly finish: FinishRecord }
  | { readonly kind: "restart"; readonly run: RunRecord; readonly workflow: Workflow }
  | { readonly kind: "checkpoint"; readonly run: RunRecord; readonly from: number; readonly last: boolean; readonly checkpoint: CheckpointRecord };

export class Scheduler {
  readonly store: Store;
  readonly #executor: TaskExecutor;
  readonly #onProgress: ((progress: Progress) => void) | undefined;
  readonly #loops = new Map<string, RunLoop>();

  constructor(options: SchedulerOptions = {}) {
    const store = options.store ?? ".otf";
    this.store = store === false ? new MemoryStore() : typeof store === "string" ? new DirectoryStore(store) : store;
    this.#executor = options.executor ?? new PoolExecutor();
    this.#executor.onCompletion((result) => this.#complete(result));
    this.#onProgress = options.onProgress;
  }

  #complete(result: TaskResult): void {
    const loop = this.#loops.get(result.run);
    // A task of a run no longer driven here (finished, or failed on a store error): keep its result.
    if (loop) loop.complete(result);
    else void this.store.recordTaskResult(result).catch(() => {});
  }

  /** Runs `workflow(...args)` to its end; the trace holds the result and every checkpoint. */
  async run<A extends unknown[], R>(workflow: Workflow<A, R>, ...args: A): Promise<Trace<Awaited<R>>> {
    const definition = workflow.definition;
    if (!definition) workflow.start(...args); // throws the runtime's "not compiled" ResumeError
    const run: RunRecord = { id: newRunId(), workflow: definition!.id, hash: definition!.hash, module: definition!.module, args, createdAt: Date.now() };
    await this.store.createRun(run);
    return (await this.#drive(run, (loop) => loop.start(() => workflow.start(...args)))) as Trace<Awaited<R>>;
  }

  /**
   * How the run's checkpoint `from` (default: its last) maps onto the workflow's code loaded now:
   * the await it resumes at, the locals carried, dropped and missing, and the problems. The code
   * unchanged, it is the identity plan. Undefined when `resume` would resume no checkpoint (the run
   * finished and no `from` is given, or it stopped before its first await).
   */
  planResume(runId: string, options: Pick<ResumeOptions, "from"> = {}): Promise<ResumePlan | undefined> {
    return planStoredResume(this.store, runId, options);
  }

  /**
   * Goes on with a stored run (after a crash, in any process): from its last checkpoint, or from
   * `from`. Completed task results are reused; tasks that were in flight run again. If the
   * workflow's code changed since that checkpoint, pass the plan from `planResume`.
   */
  async resume(runId: string, options: ResumeOptions = {}): Promise<Trace> {
    const target = await resumeTarget(this.store, runId, options);
    if (target.kind === "finished") {
      const stored = await readTrace(this.store, runId);
      return new Trace(stored.run, stored.checkpoints, target.finish);
    }
    const { run } = target;
    if (target.kind === "restart") return this.#drive(run, (loop) => loop.start(() => target.workflow.start(...run.args)));
    const { checkpoint, from } = target;
    // Refused here, before a run is forked or a task restarted, so a refusal changes nothing stored.
    checkpoint.suspension.check(options.plan ? { plan: options.plan } : {});
    const { hash } = loadedWorkflow(run.workflow)!;
    const plan = checkpoint.suspension.hash === hash ? undefined : options.plan;
    const results = await this.store.readTaskResults(runId, from);
    if (target.last) return this.#drive(run, (loop) => loop.continueFrom(checkpoint, results, plan));
    // The new run runs the code loaded now: its hash, from its second checkpoint on.
    const fork: RunRecord = { ...run, id: newRunId(), hash, createdAt: Date.now(), forkedFrom: { run: runId, checkpoint: from } };
    await this.store.createRun(fork);
    const first = { ...checkpoint, run: fork.id, index: 0 };
    await this.store.commitStep(first, []);
    await Promise.all(results.map((r) => this.store.recordTaskResult({ ...r, run: fork.id })));
    return this.#drive(fork, (loop) => loop.continueFrom(first, results, plan));
  }

  async #drive(run: RunRecord, go: (loop: RunLoop) => Promise<Trace>): Promise<Trace> {
    if (this.#loops.has(run.id)) throw new StoreError("conflict", `${this.store.location} run ${run.id}`, "this run is already being driven by this scheduler");
    const loop = new RunLoop(run, this.store, this.#executor, this.#onProgress);
    this.#loops.set(run.id, loop);
    try {
      return await go(loop);
    } finally {
      this.#loops.delete(run.id);
    }
  }

  /** Stops the worker threads and waits for the store's pending writes. */
  async close(): Promise<void> {
    await this.#executor.close();
    await this.store.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * What resuming `runId` means, read from any store: the module of its workflow is imported (so its
 * checkpoints can be planned against the code loaded now). Shared by the scheduler and the PostgreSQL backend.
 */
export async function resumeTarget(store: Store, runId: string, options: Pick<ResumeOptions, "from">): Promise<ResumeTarget> {
  const run = await store.readRun(runId);
  const exports = (await import(run.module)) as Record<string, unknown>;
  if (!loadedWorkflow(run.workflow)) throw new ResumeError("workflow-not-loaded", `${run.module} does not define workflow ${run.workflow} any more`);
  const count = await store.checkpointCount(runId);
  const finish = await store.readFinish(runId);
  if (options.from === undefined && finish) return { kind: "finished", run, finish };
  if (count === 0) {
    // It stopped before its first await: start it again with its arguments.
    const workflow = Object.values(exports).find((e): e is Workflow => typeof e === "function" && (e as Workflow).definition?.id === run.workflow);
    if (!workflow) throw new ResumeError("workflow-not-exported", `run ${runId} stopped before its first await; to start it again, ${run.module} must export workflow ${run.workflow}`);
    return { kind: "restart", run, workflow };
  }
  const from = options.from ?? count - 1;
  if (!Number.isInteger(from) || from < 0 || from >= count) {
    throw new StoreError("not-found", `${store.location} run ${runId}`, `no checkpoint ${from}: the run has checkpoints 0 to ${count - 1}`);
  }
  return { kind: "checkpoint", run, from, last: from === count - 1 && !finish, checkpoint: await store.readCheckpoint(runId, from) };
}

/** `Scheduler.planResume` for any store. */
export async function planStoredResume(store: Store, runId: string, options: Pick<ResumeOptions, "from"> = {}): Promise<ResumePlan | undefined> {
  const target = await resumeTarget(store, runId, options);
  return target.kind === "checkpoint" ? target.checkpoint.suspension.planResume() : undefined;
}

/** Sortable by time, readable, unique enough: `20250102-150405-3fa9c1`. */
export function newRunId(): string {
  const now = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${now}-${randomBytes(3).toString("hex")}`;
}
