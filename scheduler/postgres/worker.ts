// A worker process's loop on the PostgreSQL backend: takes step jobs (go on with a run) and task jobs
// (run one deferred task in a thread pool, record its result once, wake its run) from the queue.
import { availableParallelism } from "node:os";
import { StoreError } from "../errors.ts";
import { PoolExecutor } from "../pool.ts";
import type { TaskCommand, TaskResult } from "../store.ts";
import { STEPS, TASKS, type JobQueue, type StepJob, type TaskJob } from "./queue.ts";
import { advanceRuns, type StepHooks, type StepOptions } from "./steps.ts";
import { parseCommand, type PostgresStore } from "./store.ts";

export interface WorkerOptions extends StepHooks {
  /** Workflow steps this worker runs at once (default 4): steps are short, mostly waiting on the database. */
  readonly steps?: number;
  /** Tasks this worker runs at once, each in a thread (default: one per core). */
  readonly tasks?: number;
  /** Called when a task's result was recorded (false: another run of the same task recorded first). */
  readonly onTask?: (result: TaskResult, recorded: boolean) => void;
  /**
   * Tasks this worker keeps for itself, running or waiting for a thread (default: 8 per thread). A
   * step's deferred tasks are claimed and run here while fewer are in hand; beyond that they go to
   * the queue, for any worker.
   */
  readonly keep?: number;
  /**
   * How long a claimed task is this worker's alone (default 30 s): if this worker dies, its claimed
   * tasks are queued for any worker after this. A claim is renewed while its task is in hand.
   */
  readonly claimSeconds?: number;
}

/**
 * Transactions recording claimed tasks' results (with their runs' next steps) at once, per worker:
 * one, so that the results ending while it commits make one larger batch, at the same cost, after it.
 */
const RECORDING_AT_ONCE = 1;
/** Most results per such transaction. */
const RECORD_BATCH = 64;
/**
 * How long an ended task's result may wait for this worker's other claimed tasks still running, to be
 * recorded in the same batch: a batch's cost hardly depends on its size, so on a busy machine fewer,
 * larger batches are the throughput; on an idle one this is the latency it adds at most.
 */
const LINGER_MS = 2;

export class PostgresWorker {
  readonly #store: PostgresStore;
  readonly #queue: JobQueue;
  readonly #options: WorkerOptions;
  readonly #pool: PoolExecutor;
  /**
   * Who waits for each task running here, by `run/future`, in order. The same task can run twice at
   * once: its claim lapsed while it ran (a stalled worker) and the queued copy came back here.
   */
  readonly #running = new Map<string, Array<(result: TaskResult) => void>>();
  #workers: Array<{ name: string; id: string }> = [];
  /** Claimed tasks in hand (running, or waiting for a thread or for their result to be recorded), with their ends. */
  readonly #inHand = new Map<TaskCommand, Promise<void>>();
  /** Claimed tasks' results waiting to be recorded. */
  #ended: Array<{ result: TaskResult; done: () => void }> = [];
  /** Renews this worker's claims and queues lapsed ones (any worker's) now and then. */
  #claims: ReturnType<typeof setInterval> | undefined;
  readonly #claimSeconds: number;
  #recording = 0;
  /** Claimed tasks running (or waiting for a thread): their results are yet to come. */
  #claimedRunning = 0;
  /** Set while the ended results wait for the tasks still running (LINGER_MS); then they go as they are. */
  #linger: ReturnType<typeof setTimeout> | undefined;
  #lingered = false;
  /** Set by stop: no more claims, results of tasks still running are recorded before the threads go. */
  #stopping = false;
  readonly #steps: StepOptions;

  constructor(store: PostgresStore, queue: JobQueue, options: WorkerOptions = {}) {
    this.#store = store;
    this.#queue = queue;
    this.#options = options;
    this.#pool = new PoolExecutor({ threads: options.tasks ?? availableParallelism() });
    this.#pool.onCompletion((result) => {
      const key = `${result.run}/${result.future}`;
      const waiting = this.#running.get(key);
      waiting?.shift()?.(result);
      if (waiting?.length === 0) this.#running.delete(key);
    });
    const keep = options.keep ?? 8 * (options.tasks ?? availableParallelism());
    this.#claimSeconds = options.claimSeconds ?? 30;
    this.#steps = {
      onStep: options.onStep,
      claim: (count) => (!this.#stopping && this.#inHand.size + count <= keep ? this.#claimSeconds : undefined),
      onClaimed: (tasks) => {
        for (const task of tasks) this.#inHand.set(task, this.#runClaimed(task).finally(() => this.#inHand.delete(task)));
      },
    };
  }

  async start(): Promise<void> {
    const steps = Math.max(1, this.#options.steps ?? 4);
    const tasks = Math.max(1, this.#options.tasks ?? availableParallelism());
    const boss = this.#queue.boss;
    const polling = { pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 2, burstWhenBatchFull: true } as const;
    // A claim lapses after claimSeconds: renewed three times as often, and lapsed ones looked for as often.
    this.#claims = setInterval(() => void this.#tendClaims(), (this.#claimSeconds * 1000) / 3);
    this.#claims.unref();
    // Two lanes per queue, each fetching batches of at least two: pg-boss fetches again at once only
    // after a full batch (burstWhenBatchFull), so a backlog drains without waiting for the next poll.
    for (let lane = 0; lane < 2; lane++) {
      this.#workers.push({ name: STEPS, id: await boss.work<StepJob>(STEPS, { ...polling, batchSize: Math.max(2, Math.ceil(steps / 2)) }, (jobs) => advanceRuns(this.#store, jobs.map((job) => job.data.run), this.#steps)) });
      this.#workers.push({ name: TASKS, id: await boss.work<TaskJob>(TASKS, { ...polling, batchSize: Math.max(2, Math.ceil(tasks / 2)) }, (jobs) => this.#runTasks(jobs.map((job) => job.data))) });
    }
  }

  /** Runs the tasks whose results are not recorded yet, and records each as it ends. */
  async #runTasks(jobs: readonly TaskJob[]): Promise<void> {
    const s = this.#store.s;
    const { rows } = await this.#store.pool.query<{ run: string; future: string; command: string | null; done: boolean }>(
      `select t.run, t.future, t.command, t.result is not null as done from ${s}.tasks t join unnest($1::text[], $2::text[]) as j(run, future) using (run, future)`,
      [jobs.map((j) => j.run), jobs.map((j) => j.future)],
    );
    await Promise.all(
      rows.filter((row) => !row.done && row.command !== null).map(async (row) => {
        const where = `${this.#store.where(row.run)} task ${row.future}`;
        let command: TaskCommand;
        try {
          command = parseCommand(where, row.command!);
        } catch (error) {
          if (!(error instanceof StoreError)) throw error;
          const now = Date.now();
          return this.#record({ run: row.run, future: row.future, task: { kind: "export", module: "?", export: "?" }, args: [], outcome: { kind: "error", error: new Error(error.message) }, attempts: 0, startedAt: now, finishedAt: now });
        }
        await this.#record(await this.#execute(command));
      }),
    );
  }

  #execute(command: TaskCommand): Promise<TaskResult> {
    const key = `${command.run}/${command.future}`;
    return new Promise<TaskResult>((done) => {
      const waiting = this.#running.get(key);
      if (waiting) waiting.push(done);
      else this.#running.set(key, [done]);
      this.#pool.submit(command);
    });
  }

  /**
   * Runs a task this worker claimed, then records its result and takes its run's next step in one
   * transaction, with the other results that ended meanwhile.
   */
  async #runClaimed(command: TaskCommand): Promise<void> {
    this.#claimedRunning++;
    let result: TaskResult;
    try {
      result = await this.#execute(command);
    } finally {
      this.#claimedRunning--;
    }
    await new Promise<void>((done) => {
      this.#ended.push({ result, done });
      this.#recordEnded();
    });
  }

  /**
   * Keeps the claims of the tasks in hand from lapsing, and queues the claimed tasks of workers that
   * died. The database being away is not a problem here: the next round tries again.
   */
  async #tendClaims(): Promise<void> {
    try {
      await this.#store.renewClaims([...this.#inHand.keys()], this.#claimSeconds);
      await this.#store.queueLapsedClaims();
    } catch {}
  }

  /** Records the ended tasks' results in batches (RECORDING_AT_ONCE): while one commits, the next fills. */
  #recordEnded(): void {
    while (this.#ended.length && this.#recording < RECORDING_AT_ONCE) {
      if (this.#claimedRunning > 0 && this.#ended.length < RECORD_BATCH && !this.#lingered) {
        this.#linger ??= setTimeout(() => {
          this.#linger = undefined;
          this.#lingered = true;
          this.#recordEnded();
        }, LINGER_MS);
        return;
      }
      clearTimeout(this.#linger);
      this.#linger = undefined;
      this.#lingered = false;
      const batch = this.#ended.splice(0, RECORD_BATCH);
      this.#recording++;
      void this.#recordBatch(batch.map((b) => b.result)).finally(() => {
        this.#recording--;
        for (const b of batch) b.done();
        this.#recordEnded();
      });
    }
  }

  async #recordBatch(results: TaskResult[]): Promise<void> {
    try {
      const { recorded } = await advanceRuns(this.#store, [], this.#steps, results);
      for (const result of results) this.#options.onTask?.(result, recorded.has(`${result.run}/${result.future}`));
    } catch (error) {
      // The steps could not be taken with the results (a run moved on elsewhere, the database is
      // away): record each result alone, which enqueues its run's step for any worker.
      process.emitWarning(`otf: recording ${results.length} task results with their runs' next steps failed (${(error as Error)?.message ?? String(error)}); recording them one by one`);
      await Promise.all(results.map((result) => this.#record(result)));
    }
  }

  /** Records a result, retrying while the database is away (a restart), so the task need not run again. */
  async #record(result: TaskResult): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const recorded = await this.#store.completeTask(result);
        this.#options.onTask?.(result, recorded);
        return;
      } catch (error) {
        if (error instanceof StoreError || attempt >= 60) throw error;
        await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
      }
    }
  }

  /**
   * Stops taking work, lets the steps and tasks in hand finish and be recorded (their runs' next
   * steps go to the queue, for other workers), then stops the threads.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const { name, id } of this.#workers.splice(0)) await this.#queue.boss.offWork(name, { id, wait: true }).catch(() => {});
    while (this.#inHand.size) await Promise.all(this.#inHand.values());
    clearInterval(this.#claims);
    await this.#pool.close();
  }
}
