// The embedded executor: tasks run in a pool of worker threads (piscina), one per core by default.
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { decode, encode } from "../pack/index.ts";
import type { Outcome } from "../runtime/index.ts";
import { workerLostError } from "./errors.ts";
import { runWithPolicy, type TaskExecutor } from "./executor.ts";
import { taskName } from "./futures.ts";
import type { TaskCommand, TaskResult } from "./store.ts";

export interface PoolOptions {
  /** Worker threads (default: one per core). */
  readonly threads?: number;
}

export class PoolExecutor implements TaskExecutor {
  readonly #threads: number;
  #pool: Piscina | undefined;
  #listener: ((result: TaskResult) => void) | undefined;

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
    const pool = this.#started();
    void runWithPolicy(command, (c, signal) => this.#attempt(pool, c, signal)).then((result) => this.#listener?.(result));
  }

  async #attempt(pool: Piscina, command: TaskCommand, signal: AbortSignal | undefined): Promise<Outcome> {
    let request: Uint8Array;
    try {
      request = encode({ task: command.task, args: command.args });
    } catch (error) {
      return { kind: "error", error };
    }
    try {
      const bytes = (await pool.run(request, signal ? { signal } : {})) as Uint8Array;
      return decode(bytes) as Outcome;
    } catch (error) {
      // The pool rejects only when the worker could not finish: aborted (timeout) or gone.
      return { kind: "error", error: signal?.aborted ? error : workerLostError(taskName(command.task), String(error)) };
    }
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
    this.#pool = undefined;
  }
}
