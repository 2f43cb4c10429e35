// The embedded executor: tasks run in a pool of worker threads (piscina), one per core by default.
// Tasks submitted together travel to a thread in small batches, so a workflow that defers thousands
// of tiny tasks pays the pool's per-message cost once per batch; a task with a timeout goes alone.
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { decode, encode } from "../pack/index.ts";
import type { Outcome } from "../runtime/index.ts";
import { workerLostError } from "./errors.ts";
import { runWithPolicy, type TaskExecutor } from "./executor.ts";
import { taskName } from "./task-name.ts";
import type { TaskCommand, TaskResult } from "./store.ts";

export interface PoolOptions {
  /** Worker threads (default: one per core). */
  readonly threads?: number;
}

interface Queued {
  readonly command: TaskCommand;
  readonly done: (outcome: Outcome) => void;
}

/** Most calls in one message: small enough that threads stay evenly busy. */
const MAX_BATCH = 64;
/**
 * Calls that took less than this (on average, message included) are short: each message costs more
 * than the imbalance of sending one per thread, so they go in as few messages as there are threads.
 */
const SHORT_CALL_MS = 1;

export class PoolExecutor implements TaskExecutor {
  readonly #threads: number;
  #pool: Piscina | undefined;
  #listener: ((result: TaskResult) => void) | undefined;
  #queue: Queued[] = [];
  /** A moving average of the time per call of the batches sent, message included: undefined before the first. */
  #callMs: number | undefined;

  constructor(options: PoolOptions = {}) {
    this.#threads = options.threads ?? availableParallelism();
  }

  onCompletion(listener: (result: TaskResult) => void): void {
    this.#listener = listener;
  }

  /** Threads start on the first task, so runs that defer nothing pay nothing. */
  #started(): Piscina {
    this.#pool ??= new Piscina({
      filename: new URL("./worker.ts", import.meta.url).href,
      minThreads: this.#threads,
      maxThreads: this.#threads,
      idleTimeout: 60_000,
    });
    return this.#pool;
  }

  submit(command: TaskCommand): void {
    const batched = command.options.timeoutMs === undefined;
    let first: Promise<Outcome> | undefined;
    if (batched) {
      first = new Promise((done) => this.#queue.push({ command, done }));
      if (this.#queue.length === 1) queueMicrotask(() => this.#flush());
    }
    const attempt = (c: TaskCommand, signal: AbortSignal | undefined, n: number) => (n === 1 && first ? first : this.#send([c], signal).then((o) => o[0]!));
    void runWithPolicy(command, attempt).then((result) => this.#listener?.(result));
  }

  /**
   * Sends the queued calls in batches of at most MAX_BATCH calls: about four per thread, so that
   * threads stay evenly busy with calls of uneven length, or one per thread while calls are short.
   */
  #flush(): void {
    const queued = this.#queue;
    this.#queue = [];
    const perThread = this.#callMs !== undefined && this.#callMs < SHORT_CALL_MS ? 1 : 4;
    const size = Math.min(MAX_BATCH, Math.max(1, Math.ceil(queued.length / (this.#threads * perThread))));
    for (let i = 0; i < queued.length; i += size) {
      const batch = queued.slice(i, i + size);
      const sent = performance.now();
      void this.#send(batch.map((q) => q.command), undefined).then((outcomes) => {
        const perCall = (performance.now() - sent) / batch.length;
        this.#callMs = this.#callMs === undefined ? perCall : 0.8 * this.#callMs + 0.2 * perCall;
        batch.forEach((q, j) => q.done(outcomes[j]!));
      });
    }
  }

  /** One message to a thread: how each call ended (never rejects). */
  async #send(commands: readonly TaskCommand[], signal: AbortSignal | undefined): Promise<Outcome[]> {
    let request: Uint8Array;
    try {
      request = encode(commands.map((c) => ({ task: c.task, args: c.args })));
    } catch (error) {
      // One call's arguments cannot travel: send the others alone, fail that one.
      if (commands.length > 1) return Promise.all(commands.map((c) => this.#send([c], signal).then((o) => o[0]!)));
      return [{ kind: "error", error }];
    }
    try {
      const replies = (await this.#started().run(request, signal ? { signal } : {})) as Uint8Array[];
      return replies.map((bytes) => decode(bytes) as Outcome);
    } catch (error) {
      // The pool rejects only when a thread could not finish: aborted (timeout) or gone.
      return commands.map((c) => ({ kind: "error", error: signal?.aborted ? error : workerLostError(taskName(c.task), String(error)) }));
    }
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
    this.#pool = undefined;
  }
}
