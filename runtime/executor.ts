// Who runs deferred tasks. Steps of a workflow run synchronously, so the scheduler installs its
// executor around each step; outside a scheduler, tasks run inline in this process.
import type { Future } from "./future.ts";

export interface Executor {
  /** Called once per future, when the workflow defers it. */
  submit(future: Future): void;
}

const inlineExecutor: Executor = {
  submit(future) {
    future.runInline();
  },
};

let current: Executor = inlineExecutor;

export function currentExecutor(): Executor {
  return current;
}

/** Runs `fn` (a workflow step) with `executor` receiving the tasks it defers. */
export function withExecutor<T>(executor: Executor, fn: () => T): T {
  const previous = current;
  current = executor;
  try {
    return fn();
  } finally {
    current = previous;
  }
}
