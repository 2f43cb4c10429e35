// The job queue under the PostgreSQL backend: pg-boss, in its own schema beside otf's tables. Two
// queues: `otf-steps` (go on with a run; at most one active and one waiting per run) and
// `otf-tasks` (run one deferred task). Jobs are enqueued inside otf's own transactions.
import type { PoolClient } from "pg";
import { PgBoss } from "pg-boss";

/** pg-boss's database adapter: the `db` option of `send` and `insert`. */
type IDatabase = NonNullable<NonNullable<Parameters<PgBoss["send"]>[2]>["db"]>;

export const STEPS = "otf-steps";
export const TASKS = "otf-tasks";

export interface StepJob {
  readonly run: string;
}
export interface TaskJob {
  readonly run: string;
  readonly future: string;
}

export interface QueueOptions {
  readonly url: string;
  /** pg-boss's schema (default `otf_queue`). */
  readonly schema: string;
  /** Connections pg-boss may hold. */
  readonly connections: number;
  /** Expire and retry jobs of dead workers (workers do; clients that only start runs need not). */
  readonly supervise: boolean;
  /** A step job whose worker has not finished it after this long is retried. */
  readonly stepLeaseSeconds: number;
  /** How often the supervisor looks for expired jobs. */
  readonly superviseSeconds: number;
  readonly onError: (error: Error) => void;
}

/** pg-boss statements run on one of otf's transaction clients. */
export function inTransaction(client: PoolClient): IDatabase {
  return { executeSql: (text, values) => client.query(text, values) };
}

export class JobQueue {
  readonly boss: PgBoss;
  readonly #options: QueueOptions;

  constructor(options: QueueOptions) {
    this.#options = options;
    this.boss = new PgBoss({
      connectionString: options.url,
      schema: options.schema,
      max: options.connections,
      supervise: options.supervise,
      superviseIntervalSeconds: options.superviseSeconds,
      // Expiry and lost heartbeats are found in the monitor pass: as often as the supervisor looks.
      monitorIntervalSeconds: options.superviseSeconds,
      schedule: false,
      registerInstance: false,
      useListenNotify: true,
    });
    this.boss.on("error", options.onError);
  }

  async start(): Promise<void> {
    await this.boss.start();
    const queues = {
      // One active step per run, and one waiting: a completion that finds one waiting need not add another.
      [STEPS]: { policy: "stately", expireInSeconds: this.#options.stepLeaseSeconds },
      // A task's own failures are outcomes, retried by its policy inside one job; the queue's retries
      // are for workers that died (heartbeat lost) or lost the database.
      [TASKS]: { policy: "standard", expireInSeconds: 24 * 3600, heartbeatSeconds: 10 },
    } as const;
    for (const [name, options] of Object.entries(queues)) {
      if (await this.boss.getQueue(name)) continue;
      await this.boss.createQueue(name, { ...options, retryLimit: 1000, retryDelay: 1, retryBackoff: true, retryDelayMax: 10, notify: true }).catch(async (error: unknown) => {
        if (!(await this.boss.getQueue(name))) throw error; // created by another process meanwhile
      });
    }
  }

  async enqueueSteps(client: PoolClient, runs: readonly string[]): Promise<void> {
    const db = inTransaction(client);
    for (const run of runs) await this.boss.send(STEPS, { run } satisfies StepJob, { db, singletonKey: run });
  }

  /** Enqueues task jobs (each runs its task once its result is not recorded: see worker.ts). */
  async enqueueTasks(client: PoolClient, tasks: readonly TaskJob[]): Promise<void> {
    if (!tasks.length) return;
    await this.boss.insert(TASKS, tasks.map((t) => ({ data: { run: t.run, future: t.future } satisfies TaskJob })), { db: inTransaction(client) });
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, close: true });
  }
}
