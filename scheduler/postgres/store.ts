// The Store on PostgreSQL tables (schema.ts): every record in pack's text form, a step committed in one
// transaction with the tasks it defers enqueued in it and a compare-and-set on the run's version.
import pg, { type Pool, type PoolClient } from "pg";
import { dumps } from "../../pack/index.ts";
import { Suspension } from "../../runtime/index.ts";
import { StoreError } from "../errors.ts";
import { parseRecord } from "../files.ts";
import type { CheckpointRecord, FinishRecord, RunProblem, RunRecord, RunSummary, Store, TaskCommand, TaskResult } from "../store.ts";
import type { JobQueue } from "./queue.ts";

/** A run's row as a step reads it, locked. */
export interface RunRow {
  readonly record: string;
  /** A ResumePlan accepted for the next step (the workflow's code changed since the last checkpoint). */
  readonly plan: string | null;
  readonly checkpoints: number;
  readonly finished: boolean;
  readonly problem: string | null;
}

/** One step to record: its checkpoint (or the run's finish) and the tasks it deferred. */
export interface StepWrite {
  readonly run: string;
  /** The run's version before the step (the checkpoint's index). */
  readonly index: number;
  readonly step: { readonly checkpoint: CheckpointRecord } | { readonly finish: FinishRecord };
  readonly deferred: readonly TaskCommand[];
  /** Claim the deferred tasks' jobs for this long (this worker runs them). */
  readonly claimSeconds?: number | undefined;
}
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

  /**
   * Runs `work` in one transaction: committed if it returns, rolled back if it throws. The `opening`
   * statements (without parameters) travel with `begin`, in the same round trip; `work` gets their
   * rows, one array per statement.
   */
  async transaction<T>(work: (client: PoolClient, opened: ReadonlyArray<readonly unknown[]>) => Promise<T>, opening: readonly string[] = []): Promise<T> {
    const client = await this.pool.connect();
    // A connection the server drops mid-transaction fails the query in flight; its 'error' event must not crash the process.
    let broken: Error | undefined;
    const onError = (error: Error) => (broken = error);
    client.on("error", onError);
    try {
      const begun = await client.query(["begin", ...opening].join(";\n"));
      const result = await work(client, opening.length ? (begun as unknown as Array<{ rows: unknown[] }>).slice(1).map((r) => r.rows) : []);
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
   * The statement that locks runs for update, in id order (two batches lock alike, so they cannot
   * deadlock). The ids are a literal, so that it can travel with `begin` (see transaction).
   */
  lockRunsStatement(runs: readonly string[]): string {
    const array = `{${runs.map((id) => `"${id.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
    return `select id, record, plan, checkpoints, finish is not null as finished, problem from ${this.s}.runs where id = any(${pg.escapeLiteral(array)}::text[]) order by id for update`;
  }

  /** The rows lockRunsStatement gave, by id. */
  lockedRuns(rows: readonly unknown[]): Map<string, RunRow> {
    return new Map((rows as Array<RunRow & { id: string }>).map((row) => [row.id, row]));
  }

  /** The bodies of checkpoints, by run (one checkpoint per run). */
  async checkpointBodies(client: PoolClient, wanted: ReadonlyArray<{ run: string; index: number }>): Promise<Map<string, string>> {
    if (!wanted.length) return new Map();
    const { rows } = await client.query<{ run: string; body: string }>(
      `select c.run, c.body from ${this.s}.checkpoints c join unnest($1::text[], $2::int[]) as w(run, index) using (run, index)`,
      [wanted.map((w) => w.run), wanted.map((w) => w.index)],
    );
    return new Map(rows.map((row) => [row.run, row.body]));
  }

  /** The task rows among `futures` (run and future pairs): null result while the task has not finished. */
  async taskRows(client: PoolClient, futures: ReadonlyArray<{ run: string; future: string }>): Promise<Array<{ run: string; future: string; result: string | null }>> {
    if (!futures.length) return [];
    const { rows } = await client.query<{ run: string; future: string; result: string | null }>(
      `select t.run, t.future, t.result from ${this.s}.tasks t join unnest($1::text[], $2::text[]) as f(run, future) using (run, future)`,
      [futures.map((f) => f.run), futures.map((f) => f.future)],
    );
    return rows;
  }

  /**
   * Records steps in `client`'s transaction: each run's version moves from its `index` to `index + 1`
   * only if it still is `index` (else `conflict`, and the caller rolls back), then the checkpoints,
   * the deferred tasks and their jobs (claimed for `claimSeconds` by this worker, if given). A step
   * with `finish` ends its run instead. The deferred tasks' job ids, per step.
   */
  async writeSteps(client: PoolClient, steps: readonly StepWrite[]): Promise<string[][]> {
    if (!steps.length) return [];
    const finishes = steps.map((w) => ("finish" in w.step ? dumps(w.step.finish) : null));
    const checkpoints = steps.flatMap((w) => ("checkpoint" in w.step ? [w.step.checkpoint] : []));
    const tasks = steps.flatMap((w) => w.deferred.map((command) => ({ command, checkpoint: w.index, claimSeconds: w.claimSeconds })));
    // One statement (each statement is a round trip): the compare-and-set on the runs' versions, and
    // the checkpoints and task rows of the runs it moved. A run it did not move fails the whole batch.
    const { rows } = await client.query<{ id: string }>(
      `with moved as (
         update ${this.s}.runs r set checkpoints = r.checkpoints + w.added, plan = null, finish = w.finish, finished_at = case when w.finish is null then null else now() end
         from unnest($1::text[], $2::int[], $3::int[], $4::text[]) as w(id, index, added, finish)
         where r.id = w.id and r.checkpoints = w.index and r.finish is null returning r.id
       ), checkpoints as (
         insert into ${this.s}.checkpoints (run, index, at, body)
         select c.run, c.index, to_timestamp(c.at / 1000.0), c.body from unnest($5::text[], $6::int[], $7::float8[], $8::text[]) as c(run, index, at, body) where c.run in (select id from moved)
       ), tasks as (
         insert into ${this.s}.tasks (run, future, checkpoint, command)
         select t.run, t.future, t.checkpoint, t.command from unnest($9::text[], $10::text[], $11::int[], $12::text[]) as t(run, future, checkpoint, command) where t.run in (select id from moved)
         on conflict do nothing
       )
       select id from moved`,
      [
        steps.map((w) => w.run),
        steps.map((w) => w.index),
        finishes.map((f) => (f === null ? 1 : 0)),
        finishes,
        checkpoints.map((c) => c.run),
        checkpoints.map((c) => c.index),
        checkpoints.map((c) => c.at),
        checkpoints.map(({ suspension, ...summary }) => dumps({ ...summary, suspension })),
        ...taskColumns(tasks),
      ],
    );
    if (rows.length !== steps.length) {
      const moved = new Set(rows.map((r) => r.id));
      const lost = steps.find((w) => !moved.has(w.run))!;
      throw new StoreError("conflict", this.where(lost.run, lost.index), `checkpoint ${lost.index} is not the run's next step any more: another worker recorded it, or the run ended`);
    }
    const ids = await this.#queue.enqueueTasks(client, tasks.map((t) => ({ run: t.command.run, future: t.command.future, claimSeconds: t.claimSeconds })));
    let at = 0;
    return steps.map((w) => ids.slice(at, (at += w.deferred.length)));
  }

  /** Inserts task rows (a run's futures no row stands for) and their jobs. */
  async insertTasks(client: PoolClient, tasks: ReadonlyArray<{ command: TaskCommand; checkpoint: number }>): Promise<void> {
    if (!tasks.length) return;
    await client.query(`insert into ${this.s}.tasks (run, future, checkpoint, command) select * from unnest($1::text[], $2::text[], $3::int[], $4::text[]) on conflict do nothing`, taskColumns(tasks));
    await this.#queue.enqueueTasks(client, tasks.map((t) => ({ run: t.command.run, future: t.command.future })));
  }

  /** Records one step in its own transaction (the Store interface; workers use writeSteps). */
  async commitStep(checkpoint: CheckpointRecord, deferred: readonly TaskCommand[]): Promise<void> {
    await this.transaction((client) => this.writeSteps(client, [{ run: checkpoint.run, index: checkpoint.index, step: { checkpoint }, deferred }]));
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
      if (job) await this.#queue.deleteTaskJobs(client, [job]);
      if (!(await this.recordResults(client, [result])).size) return false;
      await this.#queue.enqueueSteps(client, [result.run]);
      return true;
    });
  }

  /**
   * Writes tasks' results, each unless one is recorded already: the `run/future` keys written. The
   * caller holds the runs' locks (a step's, or completeTask's share lock).
   */
  async recordResults(client: PoolClient, results: readonly TaskResult[]): Promise<Set<string>> {
    return this.recordedResults((await client.query(this.recordResultsStatement(results))).rows);
  }

  /**
   * The statement recordResults sends, its values as literals, so that a batch can send it with
   * `begin` and the runs' locks, after them (see transaction).
   */
  recordResultsStatement(results: readonly TaskResult[]): string {
    const unique = [...new Map(results.map((r) => [`${r.run}/${r.future}`, r])).values()];
    const rows = unique.map((r) => `(${pg.escapeLiteral(r.run)}, ${pg.escapeLiteral(r.future)}, -1, ${pg.escapeLiteral(dumps(r))}, now())`);
    return `insert into ${this.s}.tasks as t (run, future, checkpoint, result, finished_at) values ${rows.join(", ")}
       on conflict (run, future) do update set result = excluded.result, finished_at = excluded.finished_at where t.result is null returning t.run, t.future`;
  }

  /** The `run/future` keys recordResultsStatement wrote. */
  recordedResults(rows: readonly unknown[]): Set<string> {
    return new Set((rows as Array<{ run: string; future: string }>).map((r) => `${r.run}/${r.future}`));
  }

  /** Removes the jobs of claimed tasks, in the transaction that records their results. */
  async deleteTaskJobs(client: PoolClient, jobs: readonly string[]): Promise<void> {
    if (jobs.length) await this.#queue.deleteTaskJobs(client, jobs);
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

  async readCheckpoint(run: string, index: number): Promise<CheckpointRecord> {
    const { rows } = await this.pool.query<{ body: string }>(`select body from ${this.s}.checkpoints where run = $1 and index = $2`, [run, index]);
    if (!rows[0]) throw new StoreError("not-found", this.where(run, index), "no such checkpoint");
    return parseCheckpoint(this.where(run, index), rows[0].body);
  }

  /** Results of the run's tasks deferred up to checkpoint `index`: a superset of those pending there. */
  async readTaskResults(run: string, index: number): Promise<TaskResult[]> {
    const { rows } = await this.pool.query<{ result: string; future: string }>(`select future, result from ${this.s}.tasks where run = $1 and checkpoint <= $2 and result is not null`, [run, index]);
    return rows.map((row) => parseResult(`${this.where(run)} task ${row.future}`, row.result));
  }

  async close(): Promise<void> {}
}

/** Task rows as the four arrays the tasks table's unnest inserts take. */
function taskColumns(tasks: ReadonlyArray<{ command: TaskCommand; checkpoint: number }>): [string[], string[], number[], string[]] {
  return [tasks.map((t) => t.command.run), tasks.map((t) => t.command.future), tasks.map((t) => t.checkpoint), tasks.map((t) => dumps(t.command))];
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

