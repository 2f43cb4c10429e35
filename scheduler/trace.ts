// Traces: what a run did, checkpoint by checkpoint, and how it ended. `scheduler.run` returns one
// as the run goes; `readTrace` rebuilds one from a store for `otf trace`.
import type { Outcome, Suspension } from "../runtime/index.ts";
import type { FinishRecord, RunRecord, Store } from "./store.ts";

/** The workflow stopped at an await. */
export interface Checkpoint {
  readonly runId: string;
  /** 0-based position in the run. */
  readonly index: number;
  /** The snapshot: resume point, locals, what it awaits. Pack it with `dumps`. */
  readonly suspension: Suspension;
  /** What the await waited on: a Future, a Combinator of futures, or a plain value. */
  readonly awaiting: unknown;
  /** When the workflow stopped here. */
  readonly at: Date;
  /** How the await ended, once it has. */
  outcome?: Outcome;
  /** When the workflow went on from here. */
  resumedAt?: Date;
}

export type TraceStatus = "completed" | "failed";

export class Trace<R = unknown> {
  readonly runId: string;
  readonly run: RunRecord;
  readonly status: TraceStatus;
  /** The workflow's return value, when it completed. */
  readonly value: R | undefined;
  /** What the workflow threw, when it failed (stack and cause intact). */
  readonly error: unknown;
  /** In order. After a resume, from the checkpoint resumed on (see `checkpoints[0].index`). */
  readonly checkpoints: readonly Checkpoint[];
  readonly finishedAt: Date;

  constructor(run: RunRecord, checkpoints: readonly Checkpoint[], finish: FinishRecord) {
    this.runId = run.id;
    this.run = run;
    this.checkpoints = checkpoints;
    this.status = finish.outcome.kind === "value" ? "completed" : "failed";
    this.value = finish.outcome.kind === "value" ? (finish.outcome.value as R) : undefined;
    this.error = finish.outcome.kind === "error" ? finish.outcome.error : undefined;
    this.finishedAt = new Date(finish.at);
  }

  get outcome(): Outcome {
    return this.status === "completed" ? { kind: "value", value: this.value } : { kind: "error", error: this.error };
  }
}

/** A stored run as a trace: every checkpoint, each with how its await ended; `finish` unset if unfinished. */
export async function readTrace(store: Store, runId: string): Promise<{ run: RunRecord; checkpoints: Checkpoint[]; finish: FinishRecord | undefined }> {
  const run = await store.readRun(runId);
  const count = await store.checkpointCount(runId);
  const checkpoints: Checkpoint[] = [];
  for (let index = 0; index < count; index++) {
    const record = await store.readCheckpoint(runId, index);
    if (record.previous && checkpoints.length) answer(checkpoints[checkpoints.length - 1]!, record.previous);
    checkpoints.push({ runId, index, suspension: record.suspension, awaiting: record.suspension.awaiting, at: new Date(record.at) });
  }
  const finish = await store.readFinish(runId);
  if (finish?.previous && checkpoints.length) answer(checkpoints[checkpoints.length - 1]!, finish.previous);
  return { run, checkpoints, finish };
}

function answer(checkpoint: Checkpoint, previous: { outcome: Outcome; resumedAt: number }): void {
  checkpoint.outcome = previous.outcome;
  checkpoint.resumedAt = new Date(previous.resumedAt);
}
