// The Store on PostgreSQL tables (schema.ts): every record in pack's text form, a step committed in one
// transaction with the tasks it defers enqueued in it and a compare-and-set on the run's version.
import pg, { type Pool, type PoolClient } from "pg";
import { dumps } from "../../pack/index.ts";
import { Suspension } from "../../runtime/index.ts";
import { StoreError } from "../errors.ts";
import { parseRecord } from "../files.ts";
import type { CheckpointRecord, FinishRecord, RunProblem, RunRecord, RunSummary, Store, TaskCommand, TaskResult } from "../store.ts";
import type { JobQueue } from "./queue.ts";

/** A task's row as a step reads it: its result is null while the task has not finished. */
export interface TaskRow {
  readonly run: string;
  readonly future: string;
  readonly result: string | null;
}

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
import { identifier, STEP_CONFLICT } from "./schema.ts";
import { checkFields } from "../record-fields.ts";

/**
 * A transaction in progress (see PostgresStore.transaction): its client, the rows of the statements
 * sent with `begin`, and statements to send with `commit`.
 */
export interface Transaction {
  readonly client: PoolClient;
  /** The rows of each opening statement, in order. */
  readonly opened: ReadonlyArray<readonly unknown[]>;
  /** Statements without parameters sent with `commit`, in the same round trip, before it. */
  readonly closing: string[];
}

/**
 * A string as an SQL literal, for statements sent without parameters. Native replaces: pg's
 * escapeLiteral walks the string character by character, and checkpoints are long.
 */
export function literal(text: string): string {
  return text.includes("\\") ? ` E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'` : `'${text.replaceAll("'", "''")}'`;
}

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
   * Runs `work` in one transaction: committed if it returns, rolled back if it throws. Each statement
   * is a round trip, the cost of a batch: so the `opening` statements (without parameters) travel
   * with `begin`, and `work` gets their rows; the statements it adds to `closing` travel with `commit`.
   */
  async transaction<T>(work: (tx: Transaction) => Promise<T>, opening: readonly string[] = []): Promise<T> {
    const client = await this.pool.connect();
    // A connection the server drops mid-transaction fails the query in flight; its 'error' event must not crash the process.
    let broken: Error | undefined;
    const onError = (error: Error) => (broken = error);
    client.on("error", onError);
    try {
      const begun = await client.query(["begin", ...opening].join(";\n"));
      const tx: Transaction = { client, opened: opening.length ? (begun as unknown as Array<{ rows: unknown[] }>).slice(1).map((r) => r.rows) : [], closing: [] };
      const result = await work(tx);
      await client.query([...tx.closing, "commit"].join(";\n"));
      return result;
    } catch (error) {
      await client.query("rollback").catch((problem: Error) => (broken ??= problem));
      throw this.#conflict(error);
    } finally {
      client.off("error", onError);
      client.release(broken);
    }
  }

  /** write_steps's error (a batch sent with its commit) as the StoreError a step's conflict is. */
  #conflict(error: unknown): unknown {
    const { code, detail } = error as { code?: string; detail?: string };
    if (code !== STEP_CONFLICT || !detail) return error;
    const [run, index] = JSON.parse(detail) as [string, number];
    return new StoreError("conflict", this.where(run, index), `checkpoint ${index} is not the run's next step any more: another worker recorded it, or the run ended`);
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
    await this.transaction(({ client }) => this.insertRun(client, run));
  }

  /**
   * The statement that locks runs for update, in id order (two batches lock alike, so they cannot
   * deadlock). The ids are a literal, so that it can travel with `begin` (see transaction).
   */
  lockRunsStatement(runs: readonly string[]): string {
    return `select id, record, plan, checkpoints, finish is not null as finished, problem from ${this.s}.runs where id in (${runs.map(literal).join(", ")}) order by id for update`;
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
  async taskRows(client: PoolClient, futures: ReadonlyArray<{ run: string; future: string }>): Promise<TaskRow[]> {
    if (!futures.length) return [];
    return (await client.query<TaskRow>(this.taskRowsStatement(futures))).rows;
  }

  /** The statement taskRows sends, its values as literals (so that it can travel with begin). */
  taskRowsStatement(futures: ReadonlyArray<{ run: string; future: string }>): string {
    const pairs = futures.map((f) => `(${literal(f.run)}, ${literal(f.future)})`).join(", ");
    return `select t.run, t.future, t.result from ${this.s}.tasks t join (values ${pairs}) as f(run, future) using (run, future)`;
  }

  /**
   * Records steps in `tx`, in one call of write_steps (schema.ts) sent with its commit: each run's
   * version moves from its `index` to `index + 1` only if it still is `index`, then the checkpoints
   * and the deferred tasks' rows are written. A step with `finish` ends its run instead. Deferred
   * tasks with `claimSeconds` are claimed (this worker runs them; no job); the others' jobs are
   * queued first, in their own statement. If one run was not at its `index` any more, the commit
   * fails with a `conflict` and nothing is kept.
   */
  async writeSteps(tx: Transaction, steps: readonly StepWrite[]): Promise<void> {
    if (!steps.length) return;
    const tasks = steps.flatMap((w) => w.deferred.map((command) => ({ command, checkpoint: w.index, claimSeconds: w.claimSeconds })));
    const queued = tasks.filter((t) => !t.claimSeconds);
    if (queued.length) await this.#queue.enqueueTasks(tx.client, queued.map((t) => ({ run: t.command.run, future: t.command.future })));
    const stepRows = steps.map((w) => ({ id: w.run, index: w.index, added: "finish" in w.step ? 0 : 1, finish: "finish" in w.step ? dumps(w.step.finish) : null }));
    const checkpointRows = steps.flatMap((w) => ("checkpoint" in w.step ? [w.step.checkpoint] : [])).map(({ suspension, ...summary }) => ({ run: summary.run, index: summary.index, at: summary.at, body: dumps({ ...summary, suspension }) }));
    const taskRows = tasks.map((t) => ({ run: t.command.run, future: t.command.future, checkpoint: t.checkpoint, command: dumps(t.command), claim: t.claimSeconds ?? null }));
    // The rows as JSON literals (JSON.stringify is native, and statements sent with commit take no parameters).
    const json = (rows: unknown[]) => `${literal(JSON.stringify(rows))}::json`;
    tx.closing.push(`select ${this.s}.write_steps(${json(stepRows)}, ${json(checkpointRows)}, ${json(taskRows)})`);
  }

  /** Inserts task rows (a run's futures no row stands for) and their jobs. */
  async insertTasks(client: PoolClient, tasks: ReadonlyArray<{ command: TaskCommand; checkpoint: number }>): Promise<void> {
    if (!tasks.length) return;
    await client.query(`insert into ${this.s}.tasks (run, future, checkpoint, command) select * from unnest($1::text[], $2::text[], $3::int[], $4::text[]) on conflict do nothing`, [
      tasks.map((t) => t.command.run),
      tasks.map((t) => t.command.future),
      tasks.map((t) => t.checkpoint),
      tasks.map((t) => dumps(t.command)),
    ]);
    await this.#queue.enqueueTasks(client, tasks.map((t) => ({ run: t.command.run, future: t.command.future })));
  }

  /** Records one step in its own transaction (the Store interface; workers use writeSteps). */
  async commitStep(checkpoint: CheckpointRecord, deferred: readonly TaskCommand[]): Promise<void> {
    await this.transaction((tx) => this.writeSteps(tx, [{ run: checkpoint.run, index: checkpoint.index, step: { checkpoint }, deferred }]));
  }

  /**
   * Records a task's result once, and wakes its run, in one transaction. False when a result was
   * recorded already (the task ran twice: the first result stands).
   */
  async completeTask(result: TaskResult): Promise<boolean> {
    return this.transaction(async ({ client }) => {
      // A share lock on the run: a step reading the run's results (which takes it for update) waits for
      // this completion to commit, so it cannot miss it and find the run's step job already taken.
      await client.query(`select 1 from ${this.s}.runs where id = $1 for share`, [result.run]);
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
    const rows = unique.map((r) => `(${literal(r.run)}, ${literal(r.future)}, -1, ${literal(dumps(r))}, now())`);
    // A recorded task's claim is over: the sweep's index keeps only claims that could lapse.
    return `insert into ${this.s}.tasks as t (run, future, checkpoint, result, finished_at) values ${rows.join(", ")}
       on conflict (run, future) do update set result = excluded.result, finished_at = excluded.finished_at, claimed_until = null where t.result is null returning t.run, t.future`;
  }

  /** The `run/future` keys recordResultsStatement wrote. */
  recordedResults(rows: readonly unknown[]): Set<string> {
    return new Set((rows as Array<{ run: string; future: string }>).map((r) => `${r.run}/${r.future}`));
  }

  /** Keeps claimed tasks, still running here, from lapsing for another `seconds`. */
  async renewClaims(tasks: ReadonlyArray<{ run: string; future: string }>, seconds: number): Promise<void> {
    if (!tasks.length) return;
    await this.pool.query(
      `update ${this.s}.tasks t set claimed_until = now() + $3 * interval '1 second' from unnest($1::text[], $2::text[]) as c(run, future)
       where t.run = c.run and t.future = c.future and t.result is null and t.claimed_until is not null`,
      [tasks.map((t) => t.run), tasks.map((t) => t.future), seconds],
    );
  }

  /**
   * Queues a job for each claimed task whose claim lapsed (its worker died, or stalled) without a
   * result, so that any worker runs it; the claim ends. Workers call this now and then; two at once
   * queue each task once (each skips the rows the other has locked). How many were queued.
   */
  async queueLapsedClaims(most = 500): Promise<number> {
    return this.transaction(async ({ client }) => {
      const { rows } = await client.query<{ run: string; future: string }>(
        `update ${this.s}.tasks t set claimed_until = null
         from (select run, future from ${this.s}.tasks where claimed_until < now() and result is null order by claimed_until limit $1 for update skip locked) as lapsed
         where t.run = lapsed.run and t.future = lapsed.future returning t.run, t.future`,
        [most],
      );
      await this.#queue.enqueueTasks(client, rows);
      return rows.length;
    });
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

