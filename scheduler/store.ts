// The store interface: what a scheduler keeps about runs, so a run can be traced and resumed in
// another process. The directory store (embedded default) and the PostgreSQL backend implement it.
import type { Outcome, Suspension, TaskOptions, TaskReference } from "../runtime/index.ts";

/** What a run is: the workflow, where its code lives, and how it was called. Written once. */
export interface RunRecord {
  readonly id: string;
  /** The workflow's id (`path#name`) and source hash, as in its suspensions. */
  readonly workflow: string;
  readonly hash: string;
  /** URL of the workflow's module: imported before a stored suspension of this run is resumed. */
  readonly module: string;
  readonly args: readonly unknown[];
  readonly createdAt: number;
  /** Set when the run was started from another run's checkpoint (`resume(run, { from })`). */
  readonly forkedFrom?: { readonly run: string; readonly checkpoint: number };
}

/** How an await ended and when the workflow went on from it. */
export interface Answer {
  readonly outcome: Outcome;
  readonly resumedAt: number;
}

/** One checkpoint: the workflow stopped at an await. */
export interface CheckpointRecord {
  readonly run: string;
  /** 0-based; the n-th await the run reached. */
  readonly index: number;
  /** When the workflow suspended here (ms since the epoch). */
  readonly at: number;
  readonly suspension: Suspension;
  /** How the previous checkpoint's await ended (absent on the first checkpoint). */
  readonly previous?: Answer;
}

/** The order to run one task: a command from the workflow side. */
export interface TaskCommand {
  readonly run: string;
  /** The id of the future the workflow awaits; a task's result is recorded under it, once. */
  readonly future: string;
  readonly task: TaskReference;
  readonly args: readonly unknown[];
  readonly options: Required<Pick<TaskOptions, "attempts" | "backoffMs">> & Pick<TaskOptions, "timeoutMs">;
}

/** How a task ended: a completion, from the executor side. */
export interface TaskResult {
  readonly run: string;
  readonly future: string;
  readonly task: TaskReference;
  readonly args: readonly unknown[];
  readonly outcome: Outcome;
  /** Attempts made, the successful one included. */
  readonly attempts: number;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** How a run ended. */
export interface FinishRecord {
  readonly outcome: Outcome;
  readonly at: number;
  /** How the last checkpoint's await ended (absent when the workflow never awaited). */
  readonly previous?: Answer;
}

/** Why a run cannot go on, as a backend whose workers run it records it (`otf resume` clears it). */
export interface RunProblem {
  /** A StoreError's code (`corrupt`, `not-found`) or a ResumeError's (`workflow-not-loaded`, `code-changed`…). */
  readonly code: string;
  readonly message: string;
}

export type RunStatus = "completed" | "failed" | "unfinished";

export interface RunSummary {
  readonly id: string;
  readonly workflow: string;
  readonly createdAt: number;
  readonly status: RunStatus;
  readonly checkpoints: number;
  /** Set instead of the other fields' real values when the run's files cannot be read. */
  readonly problem?: string;
}

/**
 * Where runs are kept. One step of a workflow is committed by `commitStep` before the tasks it
 * deferred are started (`deferred` lets a queue-backed store enqueue them in the same transaction);
 * task results are recorded as they come, possibly in batches. Reads serve `resume` and `otf trace`.
 */
export interface Store {
  /** Where the store is, for messages: a directory, a database URL. */
  readonly location: string;
  createRun(run: RunRecord): Promise<void>;
  /** Makes the checkpoint durable. Its index must be the run's next one, or it fails with `conflict`. */
  commitStep(checkpoint: CheckpointRecord, deferred: readonly TaskCommand[]): Promise<void>;
  /** Resolves once the result is durable; results may be written together (group commit). */
  recordTaskResult(result: TaskResult): Promise<void>;
  finishRun(run: string, finish: FinishRecord): Promise<void>;

  listRuns(): Promise<RunSummary[]>;
  readRun(run: string): Promise<RunRecord>;
  /** A problem recorded on the run (only stores whose workers run it on their own record one). */
  readProblem?(run: string): Promise<RunProblem | undefined>;
  readFinish(run: string): Promise<FinishRecord | undefined>;
  /** How many checkpoints the run has; in time independent of that number's size, as `resume` needs. */
  checkpointCount(run: string): Promise<number>;
  readCheckpoint(run: string, index: number): Promise<CheckpointRecord>;
  /** The recorded results of tasks that may have been pending at checkpoint `index` (a superset is fine). */
  readTaskResults(run: string, index: number): Promise<TaskResult[]>;
  close(): Promise<void>;
}
