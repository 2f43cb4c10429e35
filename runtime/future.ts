// Futures: the serializable handles a workflow awaits. A future names its task and arguments,
// and once settled carries its outcome, so a snapshot taken at its await is complete data.
import { randomBytes } from "node:crypto";
import { currentExecutor } from "./executor.ts";
import { errorOutcome, outcomeOf, valueOutcome, type Outcome } from "./outcome.ts";
import { isTask, loadedTask, resolveTask, type Task, type TaskReference } from "./task.ts";

export class Future<T = unknown> implements PromiseLike<T> {
  readonly id: string;
  readonly task: TaskReference;
  readonly args: readonly unknown[];
  #outcome: Outcome | undefined;
  #settling: Promise<Outcome> | undefined;
  #waiters: Array<(outcome: Outcome) => void> | undefined;
  /** The task itself when it was deferred in this process (saves a lookup by reference). */
  #runner: Task | undefined;

  constructor(id: string, task: TaskReference, args: readonly unknown[], outcome?: Outcome, runner?: Task) {
    this.id = id;
    this.task = task;
    this.args = args;
    this.#outcome = outcome;
    this.#runner = runner;
  }

  /** The outcome, if the future has settled. */
  get outcome(): Outcome | undefined {
    return this.#outcome;
  }

  /** Records the outcome once; later calls are ignored (a task result is recorded once). */
  settle(outcome: Outcome): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters) for (const wake of waiters) wake(outcome);
  }

  /** Resolves when the future settles (it never rejects: errors are outcomes). */
  settled(): Promise<Outcome> {
    if (this.#outcome) return Promise.resolve(this.#outcome);
    this.#settling ??= new Promise((resolve) => (this.#waiters ??= []).push(resolve));
    return this.#settling;
  }

  /** Runs the task in this process: the default when no scheduler is installed. */
  runInline(): void {
    if (this.#outcome) return;
    const known = this.#runner ?? loadedTask(this.task);
    if (known) {
      try {
        const result = known(...this.args);
        if (isThenable(result)) void outcomeOf(() => result).then((o) => this.settle(o));
        else this.settle(valueOutcome(result));
      } catch (error) {
        this.settle(errorOutcome(error));
      }
      return;
    }
    void outcomeOf(async () => (await resolveTask(this.task))(...this.args)).then((o) => this.settle(o));
  }

  then<A = T, B = never>(onValue?: ((value: T) => A | PromiseLike<A>) | null, onError?: ((error: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.settled().then((o) => {
      if (o.kind === "value") return onValue ? onValue(o.value as T) : (o.value as A);
      if (onError) return onError(o.error);
      throw o.error;
    });
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

// Ids are unique across processes (a random prefix per process) and cheap (a counter after it).
const processPrefix = randomBytes(6).toString("hex");
let futureCount = 0;

export function newFutureId(): string {
  return `f-${processPrefix}-${(futureCount++).toString(36)}`;
}

/** Starts `t(...args)` on the current executor and returns the future the workflow awaits. */
export function defer<A extends unknown[], R>(t: Task<A, R>, ...args: A): Future<Awaited<R>> {
  if (!isTask(t)) {
    const what = typeof t === "function" ? `the plain function ${(t as { name?: string }).name || "(anonymous)"}` : typeof t;
    throw new TypeError(`defer() takes a task made with task(fn); got ${what}`);
  }
  const future = new Future<Awaited<R>>(newFutureId(), t.taskReference, args, undefined, t as unknown as Task);
  currentExecutor().submit(future as Future);
  return future;
}
