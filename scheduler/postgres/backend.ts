// The PostgreSQL backend: runs are rows, steps and tasks are jobs that any number of worker processes
// take (`otf worker --db`). `start` enqueues a run, `wait` gives its trace, `work` makes this process
// a worker. How it keeps each step once and each task result once: scheduler/README.md.
// pg and pg-boss are imported in `connect`, so a program that imports otf/scheduler without using
// PostgreSQL does not load them.
import { dumps } from "../../pack/index.ts";
import { loadedWorkflow, ResumeError, type ResumePlan, type Workflow } from "../../runtime/index.ts";
import { StoreError, type StoreErrorCode } from "../errors.ts";
import { newRunId, planStoredResume, resumeTarget, type ResumeOptions } from "../scheduler.ts";
import type { RunProblem, RunRecord } from "../store.ts";
import { readTrace, Trace } from "../trace.ts";
import type { JobQueue } from "./queue.ts";
import { migrate } from "./schema.ts";
import type { PostgresStore } from "./store.ts";
import type { PostgresWorker, WorkerOptions } from "./worker.ts";

const storeCodes: readonly string[] = ["not-found", "truncated", "corrupt", "conflict"] satisfies StoreErrorCode[];

/** A problem recorded on a run, as the error it was: a StoreError (exit 3 in the CLI) or a ResumeError (4). */
function problemError(where: string, problem: RunProblem): Error {
  if (storeCodes.includes(problem.code)) return new StoreError(problem.code as StoreErrorCode, where, problem.message);
  return new ResumeError(problem.code, problem.message);
}

export interface PostgresBackendOptions {
  /** The PostgreSQL schema of otf's tables (default `otf`); pg-boss's is the same name + `_queue`. */
  readonly schema?: string;
  /** Database connections this process may hold for otf's tables (default 8), and as many for the queue. */
  readonly connections?: number;
  /** A step not finished this long after a worker took it (the worker died) is given to another (default 30). */
  readonly stepLeaseSeconds?: number;
  /** Take part in expiring the jobs of dead workers (default true). */
  readonly supervise?: boolean;
  /** Told about connection errors the backend recovers from (default: ignored). */
  readonly onError?: (error: Error) => void;
}

export interface WaitOptions {
  /** Give up after this long (default: wait for ever). */
  readonly timeoutMs?: number;
}

export class PostgresBackend {
  readonly store: PostgresStore;
  readonly #queue: JobQueue;
  readonly #workers: PostgresWorker[] = [];

  private constructor(store: PostgresStore, queue: JobQueue) {
    this.store = store;
    this.#queue = queue;
  }

  /** Connects, creates or migrates the schema, and starts the queue. */
  static async connect(url: string, options: PostgresBackendOptions = {}): Promise<PostgresBackend> {
    const schema = options.schema ?? "otf";
    const connections = options.connections ?? 8;
    const onError = options.onError ?? (() => {});
    const [{ JobQueue }, { newPool, PostgresStore }] = await Promise.all([import("./queue.ts"), import("./store.ts")]);
    const pool = newPool(url, connections, onError);
    try {
      await migrate(pool, schema);
      const queue = new JobQueue({ url, schema: `${schema}_queue`, connections, supervise: options.supervise ?? true, stepLeaseSeconds: options.stepLeaseSeconds ?? 30, superviseSeconds: 2, onError });
      await queue.start();
      return new PostgresBackend(new PostgresStore(url, schema, pool, queue), queue);
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
  }

  /** Records the run and enqueues its first step, in one transaction; a worker takes it from there. */
  async start<A extends unknown[]>(workflow: Workflow<A, unknown>, ...args: A): Promise<string> {
    const definition = workflow.definition;
    if (!definition) workflow.start(...args); // throws the runtime's "not compiled" ResumeError
    const run: RunRecord = { id: newRunId(), workflow: definition!.id, hash: definition!.hash, module: definition!.module, args, createdAt: Date.now() };
    dumps(args); // arguments that cannot be stored fail here, with the path to the bad value
    await this.store.transaction(async ({ client }) => {
      await this.store.insertRun(client, run);
      await this.#queue.enqueueSteps(client, [run.id]);
    });
    return run.id;
  }

  /** Starts a run and waits for its end. */
  async run<A extends unknown[], R>(workflow: Workflow<A, R>, ...args: A): Promise<Trace<Awaited<R>>> {
    return (await this.wait(await this.start(workflow as Workflow<A, unknown>, ...args))) as Trace<Awaited<R>>;
  }

  /** The run's trace once it has ended; a `StoreError` if it cannot go on (a corrupt checkpoint). */
  async wait(runId: string, options: WaitOptions = {}): Promise<Trace> {
    await this.waitAll([runId], options);
    const { run, checkpoints, finish } = await readTrace(this.store, runId);
    return new Trace(run, checkpoints, finish!);
  }

  /** Resolves when every run has ended; rejects with the first run's problem, or on the timeout. */
  async waitAll(runIds: readonly string[], options: WaitOptions = {}): Promise<void> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    let open = [...runIds];
    for (let pause = 5; open.length; pause = Math.min(200, pause * 2)) {
      let rows: Array<{ id: string; finished: boolean; problem: string | null; code: string | null }>;
      try {
        ({ rows } = await this.store.pool.query(`select id, finish is not null as finished, problem, problem_code as code from ${this.store.s}.runs where id = any($1::text[])`, [open]));
      } catch (error) {
        // The server is away (restarting): ask again until the deadline.
        if (Date.now() > deadline) throw error;
        await new Promise((wake) => setTimeout(wake, 500));
        continue;
      }
      const problem = rows.find((r) => r.problem);
      if (problem) throw problemError(this.store.where(problem.id), { code: problem.code ?? "corrupt", message: problem.problem! });
      if (rows.length < open.length) throw new StoreError("not-found", this.store.where(open.find((id) => !rows.some((r) => r.id === id))!), "no such run");
      const done = new Set(rows.filter((r) => r.finished).map((r) => r.id));
      if (done.size) pause = 5;
      open = open.filter((id) => !done.has(id));
      if (!open.length) return;
      if (Date.now() > deadline) throw new Error(`runs not finished after ${options.timeoutMs} ms: ${open.slice(0, 5).join(", ")}${open.length > 5 ? ", …" : ""}`);
      await new Promise((wake) => setTimeout(wake, pause));
    }
  }

  /** How the run's checkpoint `from` (default: its last) maps onto the code loaded here, as `Scheduler.planResume`. */
  planResume(runId: string, options: Pick<ResumeOptions, "from"> = {}): Promise<ResumePlan | undefined> {
    return planStoredResume(this.store, runId, options);
  }

  /**
   * Goes on with a run, as `Scheduler.resume` does (and refusing what it refuses, before anything is
   * written): from its last checkpoint (a worker takes its next step; a recorded problem is cleared),
   * or from checkpoint `from`, which starts a new run. On changed code, pass the plan from
   * `planResume`: it is stored with the run and the worker resumes with it. The id of the run that goes on.
   */
  async resume(runId: string, options: ResumeOptions = {}): Promise<string> {
    const target = await resumeTarget(this.store, runId, options);
    if (target.kind === "finished") return runId;
    const goOn = async (plan?: ResumePlan) =>
      this.store.transaction(async ({ client }) => {
        await client.query(`update ${this.store.s}.runs set problem = null, problem_code = null, plan = $2 where id = $1`, [runId, plan ? dumps(plan) : null]);
        await this.#queue.enqueueSteps(client, [runId]);
      });
    if (target.kind === "restart") {
      await goOn();
      return runId;
    }
    const { checkpoint, from, run } = target;
    checkpoint.suspension.check(options.plan ? { plan: options.plan } : {});
    const plan = checkpoint.suspension.hash === loadedWorkflow(run.workflow)!.hash ? undefined : options.plan;
    if (target.last) {
      await goOn(plan);
      return runId;
    }
    const fork: RunRecord = { ...run, id: newRunId(), hash: loadedWorkflow(run.workflow)!.hash, createdAt: Date.now(), forkedFrom: { run: runId, checkpoint: from } };
    await this.store.transaction(async ({ client }) => {
      await this.store.insertRun(client, fork, 1);
      if (plan) await client.query(`update ${this.store.s}.runs set plan = $2 where id = $1`, [fork.id, dumps(plan)]);
      const { suspension, ...summary } = checkpoint;
      await client.query(`insert into ${this.store.s}.checkpoints (run, index, at, body) values ($1, 0, to_timestamp($2 / 1000.0), $3)`, [fork.id, checkpoint.at, dumps({ ...summary, run: fork.id, index: 0, suspension })]);
      // Results recorded for the original run stand for the fork too: no finished task runs again.
      await client.query(`insert into ${this.store.s}.tasks (run, future, checkpoint, command, result, finished_at) select $1, future, 0, command, result, finished_at from ${this.store.s}.tasks where run = $2 and result is not null and checkpoint <= $3`, [fork.id, runId, from]);
      await this.#queue.enqueueSteps(client, [fork.id]);
    });
    return fork.id;
  }

  /** Makes this process a worker: it takes steps and tasks from the queue until `close`. */
  async work(options: WorkerOptions = {}): Promise<PostgresWorker> {
    const { PostgresWorker } = await import("./worker.ts");
    const worker = new PostgresWorker(this.store, this.#queue, options);
    await worker.start();
    this.#workers.push(worker);
    return worker;
  }

  async close(): Promise<void> {
    for (const worker of this.#workers.splice(0)) await worker.stop();
    await this.#queue.stop();
    await this.store.pool.end();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
