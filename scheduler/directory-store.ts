// The embedded default store: one directory per run under `<root>/runs/`, every file in pack's
// text form, every write atomic. Layout and durability rules are in scheduler/README.md.
import { mkdir, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { dumps } from "../pack/index.ts";
import { Suspension } from "../runtime/index.ts";
import { StoreError } from "./errors.ts";
import { countSequence, exists, readRecord, writeAtomic } from "./files.ts";
import type { CheckpointRecord, FinishRecord, RunRecord, RunSummary, Store, TaskCommand, TaskResult } from "./store.ts";
import { checkFields } from "./record-fields.ts";

export interface DirectoryStoreOptions {
  /** fsync every write (default true). Off only for throwaway data: a crash may then lose what was written. */
  readonly durable?: boolean;
}

/** A checkpoint file: the record, and the first result batch that may settle its pending futures. */
interface CheckpointFile extends CheckpointRecord {
  readonly resultsFrom: number;
}

interface ResultBatch {
  readonly run: string;
  readonly batch: number;
  readonly results: readonly TaskResult[];
}

/** What this process knows about a run it writes to. */
interface RunState {
  checkpoints: number;
  /** Sequence number of the next result batch file. */
  nextBatch: number;
  /** The batch being written, if any: results not yet durable are in it or after it. */
  writingBatch: number | undefined;
  waiting: Array<{ result: TaskResult; done: () => void; failed: (error: unknown) => void }>;
  /** The loop writing batches, while there are results to write. */
  writing: Promise<void> | undefined;
}

const pad = (n: number) => String(n).padStart(6, "0");

export class DirectoryStore implements Store {
  readonly location: string;
  readonly #durable: boolean;
  readonly #states = new Map<string, Promise<RunState>>();
  /** `resultsFrom` of the checkpoints read last, so that resuming reads each file once. */
  readonly #resultsFrom = new Map<string, number>();

  constructor(root: string = ".otf", options: DirectoryStoreOptions = {}) {
    this.location = resolve(root);
    this.#durable = options.durable ?? true;
  }

  runDirectory(run: string): string {
    if (!/^[\w.-]+$/.test(run) || run.startsWith(".")) throw new StoreError("not-found", join(this.location, "runs"), `"${run}" is not a run id`);
    return join(this.location, "runs", run);
  }
  checkpointFile(run: string, index: number): string {
    return join(this.runDirectory(run), "checkpoints", `${pad(index)}.pack`);
  }
  #batchFile(run: string, batch: number): string {
    return join(this.runDirectory(run), "results", `${pad(batch)}.pack`);
  }
  #runFile(run: string): string {
    return join(this.runDirectory(run), "run.pack");
  }
  #finishFile(run: string): string {
    return join(this.runDirectory(run), "finish.pack");
  }

  async createRun(run: RunRecord): Promise<void> {
    const directory = this.runDirectory(run.id);
    if (await exists(directory)) throw new StoreError("conflict", directory, "a run with this id exists already");
    await mkdir(join(directory, "checkpoints"), { recursive: true });
    await mkdir(join(directory, "results"), { recursive: true });
    await writeAtomic(this.#runFile(run.id), dumps(run, { indent: 2 }), this.#durable);
    this.#states.set(run.id, Promise.resolve({ checkpoints: 0, nextBatch: 0, writingBatch: undefined, waiting: [], writing: undefined }));
  }

  #state(run: string): Promise<RunState> {
    let state = this.#states.get(run);
    if (!state) {
      state = (async () => ({
        checkpoints: await countSequence((i) => this.checkpointFile(run, i)),
        nextBatch: await countSequence((i) => this.#batchFile(run, i)),
        writingBatch: undefined,
        waiting: [],
        writing: undefined,
      }))();
      this.#states.set(run, state);
    }
    return state;
  }

  async commitStep(checkpoint: CheckpointRecord, _deferred: readonly TaskCommand[]): Promise<void> {
    const state = await this.#state(checkpoint.run);
    const path = this.checkpointFile(checkpoint.run, checkpoint.index);
    if (checkpoint.index !== state.checkpoints) {
      throw new StoreError("conflict", path, `expected checkpoint ${state.checkpoints} next, not ${checkpoint.index}: is another process running this run?`);
    }
    state.checkpoints++;
    // The suspension last, so the file reads from its summary down to the frame.
    const { suspension, ...summary } = checkpoint;
    const file: CheckpointFile = { ...summary, resultsFrom: state.writingBatch ?? state.nextBatch, suspension };
    try {
      await writeAtomic(path, dumps(file, { indent: 2 }), this.#durable);
    } catch (error) {
      state.checkpoints--;
      throw error;
    }
  }

  recordTaskResult(result: TaskResult): Promise<void> {
    return new Promise((done, failed) => {
      void this.#state(result.run).then((state) => {
        state.waiting.push({ result, done, failed });
        state.writing ??= this.#writeBatches(result.run, state).finally(() => (state.writing = undefined));
      }, failed);
    });
  }

  /**
   * Group commit: results that arrive while one batch is written go together into the next. Written
   * off the main thread: tasks keep going to threads and coming back while a batch is fsync'd.
   */
  async #writeBatches(run: string, state: RunState): Promise<void> {
    while (state.waiting.length) {
      const taken = state.waiting.splice(0);
      const batch = state.nextBatch++;
      state.writingBatch = batch;
      const record: ResultBatch = { run, batch, results: taken.map((t) => t.result) };
      try {
        await writeAtomic(this.#batchFile(run, batch), dumps(record, { indent: 2 }), this.#durable, { offThread: true });
        for (const t of taken) t.done();
      } catch (error) {
        for (const t of taken) t.failed(error);
      }
    }
    state.writingBatch = undefined;
  }

  async finishRun(run: string, finish: FinishRecord): Promise<void> {
    // The run's results still being written go first: a finished run's files are all there.
    const state = await this.#state(run);
    while (state.writing) await state.writing;
    await writeAtomic(this.#finishFile(run), dumps(finish, { indent: 2 }), this.#durable);
  }

  async listRuns(): Promise<RunSummary[]> {
    let names: string[];
    try {
      names = await readdir(join(this.location, "runs"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const summaries = await Promise.all(
      names.filter((n) => !n.startsWith(".")).map(async (id): Promise<RunSummary> => {
        try {
          const run = await this.readRun(id);
          const finish = await this.readFinish(id);
          const status = finish ? (finish.outcome.kind === "value" ? "completed" : "failed") : "unfinished";
          return { id, workflow: run.workflow, createdAt: run.createdAt, status, checkpoints: await this.checkpointCount(id) };
        } catch (error) {
          if (!(error instanceof StoreError)) throw error;
          return { id, workflow: "?", createdAt: 0, status: "unfinished", checkpoints: 0, problem: error.message };
        }
      }),
    );
    return summaries.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async readRun(run: string): Promise<RunRecord> {
    return readRecord<RunRecord>(this.#runFile(run), "run record", (v) => checkFields(v, { id: "string", workflow: "string", module: "string", args: "array", createdAt: "number" }));
  }

  async readFinish(run: string): Promise<FinishRecord | undefined> {
    const path = this.#finishFile(run);
    if (!(await exists(path))) return undefined;
    return readRecord<FinishRecord>(path, "run's result", (v) => checkFields(v, { outcome: "object", at: "number" }) ?? checkOutcome((v as FinishRecord).outcome));
  }

  async checkpointCount(run: string): Promise<number> {
    if (!(await exists(this.runDirectory(run)))) throw new StoreError("not-found", this.runDirectory(run), "no such run");
    return (await this.#state(run)).checkpoints;
  }

  async readCheckpoint(run: string, index: number): Promise<CheckpointRecord> {
    const file = await this.#readCheckpointFile(this.checkpointFile(run, index));
    if (this.#resultsFrom.size > 64) this.#resultsFrom.clear();
    this.#resultsFrom.set(`${run}/${index}`, file.resultsFrom);
    return file;
  }

  /** Reads any checkpoint file (for `otf inspect`), checking it is one. */
  #readCheckpointFile(path: string): Promise<CheckpointFile> {
    return readRecord<CheckpointFile>(path, "checkpoint", (v) => {
      const problem = checkFields(v, { run: "string", index: "number", at: "number", resultsFrom: "number" });
      if (problem) return problem;
      if (!((v as CheckpointFile).suspension instanceof Suspension)) return `"suspension" is not an otf.Suspension`;
      return undefined;
    });
  }

  static readCheckpointFile(path: string): Promise<CheckpointRecord> {
    return new DirectoryStore().#readCheckpointFile(path);
  }

  async readTaskResults(run: string, index: number): Promise<TaskResult[]> {
    const resultsFrom = this.#resultsFrom.get(`${run}/${index}`) ?? (await this.#readCheckpointFile(this.checkpointFile(run, index))).resultsFrom;
    const results: TaskResult[] = [];
    for (let batch = resultsFrom; ; batch++) {
      const path = this.#batchFile(run, batch);
      if (!(await exists(path))) break;
      const record = await readRecord<ResultBatch>(path, "batch of task results", (v) => checkFields(v, { run: "string", batch: "number", results: "array" }));
      results.push(...record.results);
    }
    return results;
  }

  async close(): Promise<void> {
    for (const state of this.#states.values()) await (await state.catch(() => undefined))?.writing;
    this.#states.clear();
  }
}


function checkOutcome(outcome: { kind?: unknown }): string | undefined {
  return outcome.kind === "value" || outcome.kind === "error" ? undefined : `"outcome.kind" should be "value" or "error"`;
}
