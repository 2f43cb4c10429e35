// The Store on PostgreSQL tables (schema.ts): every record in pack's text form, a step committed in one
// transaction with the tasks it defers enqueued in it and a compare-and-set on the run's version.
import pg, { type Pool, type PoolClient } from "pg";
import { dumps } from "../../pack/index.ts";
import { Suspension } from "../../runtime/index.ts";
import { StoreError } from "../errors.ts";
import { parseRecord } from "../files.ts";
import type { CheckpointRecord, FinishRecord, RunProblem, RunRecord, RunSummary, Store, TaskCommand, TaskResult } from "../store.ts";
import type { JobQueue } from "./queue.ts";
import { identifier } from "./schema.ts";
import { checkFields } from "../record-fields.ts";

/** The database URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "…";
    return parsed.toString();
  } catch {
    return "postgres";
  }
}

export function newPool(url: string, connections: number, onError: (error: Error) => void): Pool {
  const pool = new pg.Pool({ connectionString: url, max: connections, connectionTimeoutMillis: 10_000 });
  // An idle connection that the server dropped (a restart) is an event, not a crash: the next query reconnects.
  pool.on("error", onError);
  return pool;
}

export class PostgresStore implements Store {
  readonly location: string;
  readonly pool: Pool;
  /** The quoted schema name, for SQL. */
  readonly s: string;
  readonly #queue: JobQueue;

  constructor(url: string, schema: string, pool: Pool, queue: JobQueue) {
    this.location = `${redact(url)} schema ${schema}`;
    this.s = identifier(schema);
    this.pool = pool;
    this.#queue = queue;
  }

  /** Runs `work` in one transaction: committed if it returns, rolled back if it throws. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection the server drops mid-transaction fails the query in flight; its 'error' event must not crash the process.
    let broken: Error | undefined;
    const onError = (error: Error) => (broken = error);
    client.on("error", onError);
    try {
      await client.query("begin");
      const result = await work(client);
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch((problem: Error) => (broken ??= problem));
      throw error;
    } finally {
      client.off("error", onError);
      client.release(broken);
    }
  }

  where(run: string, index?: number): string {
    return `${this.location} run ${run}${index === undefined ? "" : ` checkpoint ${index}`}`;
  }

  /** Inserts the run (and, with `enqueue`, the job that starts it) in `client`'s transaction. */
  async insertRun(client: PoolClient, run: RunRecord, checkpoints = 0): Promise<void> {
    const inserted = await client.query(`insert into ${this.s}.runs (id, workflow, created_at, record, checkpoints) values ($1, $2, to_timestamp($3 / 1000.0), $4, $5) on conflict do nothing`, [run.id, run.workflow, run.createdAt, dumps(run), checkpoints]);
    if (inserted.rowCount !== 1) throw new StoreError("conflict", this.where(run.id), "a run with this id exists already");
  }

  async createRun(run: RunRecord): Promise<void> {
    await this.transaction((client) => this.insertRun(client, run));
  }

  /**
   * Records one step in `client`'s transaction: the run's version moves from `index` to `index + 1`
   * only if it still is `index` (else `conflict`, and the caller rolls back), then the checkpoint,
   * the deferred tasks and their jobs. With `finish`, the run ends instead of suspending.
   */
  async writeStep(client: PoolClient, run: string, index: number, step: { checkpoint: CheckpointRecord } | { finish: FinishRecord }, deferred: readonly TaskCommand[], claimSeconds?: number): Promise<string[]> {
    const finished = "finish" in step;
    const moved = await client.query(
      `update ${this.s}.runs set checkpoints = checkpoints + $3, plan = null, finish = $4, finished_at = case when $4::text is null then null else now() end where id = $1 and checkpoints = $2 and finish is null`,
      [run, index, finished ? 0 : 1, finished ? dumps(step.finish) : null],
    );
    if (moved.rowCount !== 1) throw new StoreError("conflict", this.where(run, index), `checkpoint ${index} is not the run's next step any more: another worker recorded it, or the run ended`);
    if (!finished) {
      const { suspension, ...summary } = step.checkpoint;
      await client.query(`insert into ${this.s}.checkpoints (run, index, at, body) values ($1, $2, to_timestamp($3 / 1000.0), $4)`, [run, index, step.checkpoint.at, dumps({ ...summary, suspension })]);
    }
    return this.insertTasks(client, run, index, deferred, claimSeconds);
  }

  /** Inserts the tasks' rows and jobs (claimed for `claimSeconds` by this worker, if given): the jobs' ids. */
  async insertTasks(client: PoolClient, run: string, checkpoint: number, commands: readonly TaskCommand[], claimSeconds?: number): Promise<string[]> {
    if (!commands.length) return [];
    await client.query(
      `insert into ${this.s}.tasks (run, future, checkpoint, command) select $1, f, $2, c from unnest($3::text[], $4::text[]) as t(f, c) on conflict do nothing`,
      [run, checkpoint, commands.map((c) => c.future), commands.map((c) => dumps(c))],
    );
    return this.#queue.enqueueTasks(client, commands.map((c) => ({ run, future: c.future })), claimSeconds);
  }

  async commitStep(checkpoint: CheckpointRecord, deferred: readonly TaskCommand[]): Promise<void> {
    await this.transaction((client) => this.writeStep(client, checkpoint.run, checkpoint.index, { checkpoint }, deferred));
  }

  /**
   * Records a task's result once, and wakes its run, in one transaction. False when a result was
   * recorded already (the task ran twice: the first result stands). With `job`, the task was claimed
   * by this worker and its job is deleted in the same transaction.
   */
  async completeTask(result: TaskResult, job?: string): Promise<boolean> {
    return this.transaction(async (client) => {
      // A share lock on the run: a step reading the run's results (which takes it for update) waits for
      // this completion to commit, so it cannot miss it and find the run's step job already taken.
      await client.query(`select 1 from ${this.s}.runs where id = $1 for share`, [result.run]);
      if (job) await this.#queue.deleteTaskJob(client, job);
      if (!(await this.recordResult(client, result))) return false;
      await this.#queue.enqueueSteps(client, [result.run]);
      return true;
    });
  }

  /**
   * Records the result of a task this worker claimed, in the transaction that takes the run's next
   * step (the caller's): the run is locked for update first, as a step does, then the result is
   * written once and the task's job deleted. No step job is needed: the step follows in this transaction.
   */
  async completeClaimedTask(client: PoolClient, result: TaskResult, job: string): Promise<boolean> {
    await client.query(`select 1 from ${this.s}.runs where id = $1 for update`, [result.run]);
    await this.#queue.deleteTaskJob(client, job);
    return this.recordResult(client, result);
  }

  /** Writes a task's result unless one is recorded already (then false). */
  async recordResult(client: PoolClient, result: TaskResult): Promise<boolean> {
    const written = await client.query(
      `insert into ${this.s}.tasks (run, future, checkpoint, result, finished_at) values ($1, $2, -1, $3, now())
       on conflict (run, future) do update set result = excluded.result, finished_at = excluded.finished_at where ${this.s}.tasks.result is null`,
      [result.run, result.future, dumps(result)],
    );
    return written.rowCount === 1;
  }

  /** Marks the run as unable to go on (workers skip it) until `resume` clears the problem. */
  async recordProblem(run: string, problem: RunProblem): Promise<void> {
    await this.pool.query(`update ${this.s}.runs set problem = $2, problem_code = $3 where id = $1`, [run, problem.message, problem.code]);
  }

  async readProblem(run: string): Promise<RunProblem | undefined> {
    const { rows } = await this.pool.query<{ problem: string | null; problem_code: string | null }>(`select problem, problem_code from ${this.s}.runs where id = $1`, [run]);
    if (!rows[0]) throw new StoreError("not-found", this.where(run), "no such run");
    return rows[0].problem === null ? undefined : { code: rows[0].problem_code ?? "corrupt", message: rows[0].problem };
  }

  async recordTaskResult(result: TaskResult): Promise<void> {
    await this.completeTask(result);
  }

  async finishRun(run: string, finish: FinishRecord): Promise<void> {
    await this.pool.query(`update ${this.s}.runs set finish = $2, finished_at = now() where id = $1 and finish is null`, [run, dumps(finish)]);
  }

  async listRuns(): Promise<RunSummary[]> {
    const { rows } = await this.pool.query<{ id: string; workflow: string; created_at: Date; checkpoints: number; finish: string | null; problem: string | null }>(
      `select id, workflow, created_at, checkpoints, finish, problem from ${this.s}.runs order by created_at, id`,
    );
    return rows.map((row) => {
      const summary = { id: row.id, workflow: row.workflow, createdAt: row.created_at.getTime(), checkpoints: row.checkpoints };
      if (row.problem) return { ...summary, status: "unfinished", problem: row.problem };
      if (!row.finish) return { ...summary, status: "unfinished" };
      try {
        return { ...summary, status: this.#parseFinish(row.id, row.finish).outcome.kind === "value" ? "completed" : "failed" };
      } catch (error) {
        return { ...summary, status: "unfinished", problem: (error as Error).message };
      }
    });
  }

  async readRun(run: string): Promise<RunRecord> {
    const { rows } = await this.pool.query<{ record: string }>(`select record from ${this.s}.runs where id = $1`, [run]);
    if (!rows[0]) throw new StoreError("not-found", this.where(run), "no such run");
    return this.parseRun(run, rows[0].record);
  }

  parseRun(run: string, text: string): RunRecord {
    return parseRecord<RunRecord>(this.where(run), text, "run record", (v) => checkFields(v, { id: "string", workflow: "string", module: "string", args: "array", createdAt: "number" }));
  }

  async readFinish(run: string): Promise<FinishRecord | undefined> {
    const { rows } = await this.pool.query<{ finish: string | null }>(`select finish from ${this.s}.runs where id = $1`, [run]);
    if (!rows[0]) throw new StoreError("not-found", this.where(run), "no such run");
    return rows[0].finish === null ? undefined : this.#parseFinish(run, rows[0].finish);
  }

  #parseFinish(run: string, text: string): FinishRecord {
    return parseRecord<FinishRecord>(`${this.where(run)} finish`, text, "run's result", (v) => checkFields(v, { outcome: "object", at: "number" }));
  }

  async checkpointCount(run: string): Promise<number> {
    const { rows } = await this.pool.query<{ checkpoints: number }>(`select checkpoints from ${this.s}.runs where id = $1`, [run]);
    if (!rows[0]) throw new StoreError("not-found", this.where(run), "no such run");
    return rows[0].checkpoints;
  }

  async readCheckpoint(run: string, index: number, client: Pool | PoolClient = this.pool): Promise<CheckpointRecord> {
    const { rows } = await client.query<{ body: string }>(`select body from ${this.s}.checkpoints where run = $1 and index = $2`, [run, index]);
    if (!rows[0]) throw new StoreError("not-found", this.where(run, index), "no such checkpoint");
    return parseCheckpoint(this.where(run, index), rows[0].body);
  }

  /** Results of the run's tasks deferred up to checkpoint `index`: a superset of those pending there. */
  async readTaskResults(run: string, index: number): Promise<TaskResult[]> {
    const { rows } = await this.pool.query<{ result: string; future: string }>(`select future, result from ${this.s}.tasks where run = $1 and checkpoint <= $2 and result is not null`, [run, index]);
    return rows.map((row) => parseResult(`${this.where(run)} task ${row.future}`, row.result));
  }

  /** The stored results, and which futures have a task at all, among `futures` of `run`. */
  async tasksOf(client: PoolClient, run: string, futures: readonly string[]): Promise<{ results: TaskResult[]; known: Set<string> }> {
    if (!futures.length) return { results: [], known: new Set() };
    const { rows } = await client.query<{ future: string; result: string | null }>(`select future, result from ${this.s}.tasks where run = $1 and future = any($2::text[])`, [run, futures]);
    const results = rows.filter((r) => r.result !== null).map((r) => parseResult(`${this.where(run)} task ${r.future}`, r.result!));
    return { results, known: new Set(rows.map((r) => r.future)) };
  }

  async close(): Promise<void> {}
}

export function parseCheckpoint(where: string, text: string): CheckpointRecord {
  return parseRecord<CheckpointRecord>(where, text, "checkpoint", (v) => {
    const problem = checkFields(v, { run: "string", index: "number", at: "number" });
    if (problem) return problem;
    if (!((v as CheckpointRecord).suspension instanceof Suspension)) return `"suspension" is not an otf.Suspension`;
    return undefined;
  });
}

export function parseResult(where: string, text: string): TaskResult {
  return parseRecord<TaskResult>(where, text, "task result", (v) => checkFields(v, { run: "string", future: "string", outcome: "object" }));
}

export function parseCommand(where: string, text: string): TaskCommand {
  return parseRecord<TaskCommand>(where, text, "task command", (v) => checkFields(v, { run: "string", future: "string", task: "object", args: "array", options: "object" }));
}

