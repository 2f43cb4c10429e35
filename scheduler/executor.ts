// The executor side: runs the tasks workflows defer and reports how each ended. The embedded
// default is a worker-thread pool (pool.ts); a queue-backed executor serves the PostgreSQL backend.
import type { Outcome } from "../runtime/index.ts";
import { taskName } from "./task-name.ts";
import { taskTimeoutError } from "./errors.ts";
import type { TaskCommand, TaskResult } from "./store.ts";

export interface TaskExecutor {
  /** Where completions go: set once by the scheduler, before the first `submit`. */
  onCompletion(listener: (result: TaskResult) => void): void;
  /** Starts a task. Its completion is reported exactly once, after retries; it never throws. */
  submit(command: TaskCommand): void;
  close(): Promise<void>;
}

/** Runs attempt `n` of a task: resolves with how it ended (it never rejects). */
export type Attempt = (command: TaskCommand, signal: AbortSignal | undefined, n: number) => Promise<Outcome>;

/**
 * A command's whole life under its policy: attempts with exponential backoff, each under the
 * timeout. Shared by executors so that retries mean the same everywhere.
 */
export async function runWithPolicy(command: TaskCommand, attempt: Attempt): Promise<TaskResult> {
  const { attempts, backoffMs, timeoutMs } = command.options;
  const startedAt = Date.now();
  for (let n = 1; ; n++) {
    const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    let outcome = await attempt(command, signal, n);
    if (outcome.kind === "error" && signal?.aborted) outcome = { kind: "error", error: taskTimeoutError(taskName(command.task), timeoutMs!, n, attempts) };
    if (outcome.kind === "value" || n >= attempts) {
      return { run: command.run, future: command.future, task: command.task, args: command.args, outcome, attempts: n, startedAt, finishedAt: Date.now() };
    }
    await new Promise((wake) => setTimeout(wake, backoffMs * 2 ** (n - 1)));
  }
}
