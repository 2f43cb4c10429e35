// A store that keeps runs in this process only: for runs that need no durability (checkpointing
// off), and the simplest reading of the Store interface.
import { StoreError } from "./errors.ts";
import type { CheckpointRecord, FinishRecord, RunRecord, RunSummary, Store, TaskCommand, TaskResult } from "./store.ts";

interface KeptRun {
  record: RunRecord;
  checkpoints: CheckpointRecord[];
  results: TaskResult[];
  finish: FinishRecord | undefined;
}

export class MemoryStore implements Store {
  readonly location = "memory";
  readonly #runs = new Map<string, KeptRun>();

  #run(id: string): KeptRun {
    const run = this.#runs.get(id);
    if (!run) throw new StoreError("not-found", `memory:${id}`, "no such run");
    return run;
  }

  async createRun(record: RunRecord): Promise<void> {
    if (this.#runs.has(record.id)) throw new StoreError("conflict", `memory:${record.id}`, "a run with this id exists already");
    this.#runs.set(record.id, { record, checkpoints: [], results: [], finish: undefined });
  }
  async commitStep(checkpoint: CheckpointRecord, _deferred: readonly TaskCommand[]): Promise<void> {
    const run = this.#run(checkpoint.run);
    if (checkpoint.index !== run.checkpoints.length) throw new StoreError("conflict", `memory:${checkpoint.run}`, `expected checkpoint ${run.checkpoints.length} next, not ${checkpoint.index}`);
    run.checkpoints.push(checkpoint);
  }
  async recordTaskResult(result: TaskResult): Promise<void> {
    this.#run(result.run).results.push(result);
  }
  async finishRun(id: string, finish: FinishRecord): Promise<void> {
    this.#run(id).finish = finish;
  }
  async listRuns(): Promise<RunSummary[]> {
    return [...this.#runs.values()].map(({ record, checkpoints, finish }) => ({
      id: record.id,
      workflow: record.workflow,
      createdAt: record.createdAt,
      status: finish ? (finish.outcome.kind === "value" ? "completed" : "failed") : "unfinished",
      checkpoints: checkpoints.length,
    }));
  }
  async readRun(id: string): Promise<RunRecord> {
    return this.#run(id).record;
  }
  async readFinish(id: string): Promise<FinishRecord | undefined> {
    return this.#run(id).finish;
  }
  async checkpointCount(id: string): Promise<number> {
    return this.#run(id).checkpoints.length;
  }
  async readCheckpoint(id: string, index: number): Promise<CheckpointRecord> {
    const checkpoint = this.#run(id).checkpoints[index];
    if (!checkpoint) throw new StoreError("not-found", `memory:${id}/${index}`, "no such checkpoint");
    return checkpoint;
  }
  async readTaskResults(id: string, _index: number): Promise<TaskResult[]> {
    return this.#run(id).results;
  }
  async close(): Promise<void> {}
}
