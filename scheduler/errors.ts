// Typed errors the scheduler raises about its own machinery (stores, tasks' limits). Errors thrown
// by user code pass through unchanged, as outcomes.

export type StoreErrorCode =
  | "not-found" // no such run, checkpoint or file
  | "truncated" // a file ends in the middle of a value
  | "corrupt" // a file is not valid pack text, or not the record it should be
  | "conflict"; // a step was committed twice (another process owns the run)

/** A store file or row is missing or unreadable. Names the file and what is wrong; nothing else is touched. */
export class StoreError extends Error {
  override name = "StoreError";
  readonly code: StoreErrorCode;
  /** The file (or row) the error is about. */
  readonly location: string;
  /** Where in a text file (a checkpoint edited by hand) reading failed, 1-based. */
  declare readonly line?: number;
  declare readonly column?: number;
  constructor(code: StoreErrorCode, location: string, message: string, options: { cause?: unknown; line?: number; column?: number } = {}) {
    // `file:line:column:`, as compilers say it, so terminals and editors can jump there.
    const at = options.line === undefined ? "" : `:${options.line}:${options.column ?? 1}`;
    super(`${location}${at}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.location = location;
    if (options.line !== undefined) {
      this.line = options.line;
      this.column = options.column ?? 1;
    }
  }
}

/**
 * A task ran longer than its `timeoutMs`. Built as a plain Error (name and code set) so that pack
 * carries it like any other error into checkpoints and task results.
 */
export function taskTimeoutError(task: string, timeoutMs: number, attempt: number, attempts: number): Error {
  const error = new Error(`task ${task} timed out after ${timeoutMs} ms (attempt ${attempt} of ${attempts})`);
  error.name = "TaskTimeoutError";
  Object.assign(error, { code: "task-timeout" });
  return error;
}

/** The worker running a task died (process.exit, out of memory) before the task returned. */
export function workerLostError(task: string, cause: unknown): Error {
  const error = new Error(`the worker running task ${task} stopped before the task returned`, { cause });
  error.name = "WorkerLostError";
  Object.assign(error, { code: "worker-lost" });
  return error;
}
