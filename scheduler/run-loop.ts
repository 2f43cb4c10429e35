// One run, driven step by step: commands in, completions out. Each step's suspension is committed
// to the store before the tasks it deferred start; completions settle the futures the workflow awaits.
import { explainSnapshotFailure, settle, settledNow, suspensionFutures, withExecutor, type Executor, type Future, type Outcome, type ResumePlan, type Step, type Suspension } from "../runtime/index.ts";
import type { TaskExecutor } from "./executor.ts";
import { commandFor } from "./task-command.ts";
import type { Answer, CheckpointRecord, RunRecord, Store, TaskCommand, TaskResult } from "./store.ts";
import { Trace, type Checkpoint } from "./trace.ts";

export interface Progress {
  readonly runId: string;
  readonly checkpoints: number;
  readonly tasksDone: number;
  readonly tasksTotal: number;
}

interface FutureEntry {
  outcome: Outcome | undefined;
  /** The copies of this future in live suspensions, settled together when its task completes. */
  waiting: Set<Future>;
}

export class RunLoop {
  readonly run: RunRecord;
  readonly #store: Store;
  readonly #executor: TaskExecutor;
  readonly #onProgress: ((progress: Progress) => void) | undefined;
  readonly #futures = new Map<string, FutureEntry>();
  readonly #deferred: Future[] = [];
  readonly #collector: Executor = {
    submit: (future) => {
      this.#deferred.push(future);
      this.#futures.set(future.id, { outcome: undefined, waiting: new Set([future]) });
    },
  };
  readonly #checkpoints: Checkpoint[] = [];
  #storeFailure: unknown;
  #tasksDone = 0;
  #tasksTotal = 0;

  constructor(run: RunRecord, store: Store, executor: TaskExecutor, onProgress?: (progress: Progress) => void) {
    this.run = run;
    this.#store = store;
    this.#executor = executor;
    this.#onProgress = onProgress;
  }

  /** Runs the workflow from its start. */
  start(begin: () => Step<unknown>): Promise<Trace> {
    return this.#drive(withExecutor(this.#collector, begin), 0, false, undefined);
  }

  /**
   * Goes on from a stored checkpoint: recorded task results settle its futures, the tasks that were
   * in flight are submitted again. `plan`, when the workflow's code changed since the checkpoint,
   * maps it onto the code loaded now (the steps after it are the new code's own).
   */
  continueFrom(checkpoint: CheckpointRecord, results: readonly TaskResult[], plan?: ResumePlan): Promise<Trace> {
    for (const result of results) this.#futures.set(result.future, { outcome: result.outcome, waiting: new Set() });
    return this.#drive(checkpoint.suspension, checkpoint.index, true, checkpoint.previous, plan);
  }

  /** A completion from the executor. */
  complete(result: TaskResult): void {
    this.#store.recordTaskResult(result).catch((error: unknown) => (this.#storeFailure ??= error));
    const entry = this.#futures.get(result.future);
    if (!entry || entry.outcome) return;
    entry.outcome = result.outcome;
    for (const future of entry.waiting) future.settle(result.outcome);
    entry.waiting.clear();
    this.#tasksDone++;
    this.#report();
  }

  #report(): void {
    this.#onProgress?.({ runId: this.run.id, checkpoints: this.#checkpoints.length, tasksDone: this.#tasksDone, tasksTotal: this.#tasksTotal });
  }

  /** Ties the suspension's futures to their tasks; returns those no task stands for (in flight when a process died). */
  #attach(suspension: Suspension): Future[] {
    const orphans: Future[] = [];
    const held = suspensionFutures(suspension);
    for (const future of held) {
      let entry = this.#futures.get(future.id);
      if (!entry) {
        entry = { outcome: future.outcome, waiting: new Set() };
        this.#futures.set(future.id, entry);
        if (!future.outcome) orphans.push(future);
      }
      if (future.outcome) entry.outcome ??= future.outcome;
      else if (entry.outcome) future.settle(entry.outcome);
      else entry.waiting.add(future);
    }
    // Settled futures no suspension holds any more will never be asked for again.
    if (this.#futures.size > 2 * held.length + 64) {
      const live = new Set(held.map((f) => f.id));
      for (const [id, entry] of this.#futures) if (entry.outcome && !live.has(id)) this.#futures.delete(id);
    }
    return orphans;
  }

  #commands(futures: readonly Future[]): Promise<TaskCommand[]> {
    return Promise.all(futures.map((f) => commandFor(this.run.id, f)));
  }

  async #drive(first: Step<unknown>, index: number, committed: boolean, previous: Answer | undefined, plan?: ResumePlan): Promise<Trace> {
    let step = first;
    while (step.kind === "suspended") {
      const suspension = step;
      const orphans = this.#attach(suspension);
      const commands = await this.#commands(this.#deferred.splice(0));
      const at = Date.now();
      if (!committed) {
        try {
          await this.#store.commitStep({ run: this.run.id, index, at, suspension, ...(previous ? { previous } : {}) }, commands);
        } catch (error) {
          throw explainSnapshotFailure(error, suspension);
        }
      }
      committed = false;
      const restarted = await this.#commands(orphans);
      this.#tasksTotal += commands.length + restarted.length;
      for (const command of [...commands, ...restarted]) this.#executor.submit(command);
      const checkpoint: Checkpoint = { runId: this.run.id, index, suspension, awaiting: suspension.awaiting, at: new Date(at) };
      this.#checkpoints.push(checkpoint);
      this.#report();
      const outcome = settledNow(suspension.awaiting) ?? (await settle(suspension.awaiting));
      if (this.#storeFailure) throw this.#storeFailure;
      previous = { outcome, resumedAt: Date.now() };
      checkpoint.outcome = outcome;
      checkpoint.resumedAt = new Date(previous.resumedAt);
      const options = plan ? { plan } : {};
      plan = undefined;
      step = withExecutor(this.#collector, () => suspension.resume(outcome, options));
      index++;
    }
    // Tasks deferred by the last step are started, though nothing awaits them (as a native run would).
    const leftovers = await this.#commands(this.#deferred.splice(0));
    for (const command of leftovers) this.#executor.submit(command);
    const outcome: Outcome = step.kind === "completed" ? { kind: "value", value: step.value } : { kind: "error", error: step.error };
    const finish = { outcome, at: Date.now(), ...(previous ? { previous } : {}) };
    await this.#store.finishRun(this.run.id, finish);
    return new Trace(this.run, this.#checkpoints, finish);
  }
}
