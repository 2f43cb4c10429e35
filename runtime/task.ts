// Tasks: plain functions that a workflow defers to a worker. A task is referenced by its
// module URL and export name (filled in by the transformer), or carries its source.
import { createHash } from "node:crypto";
import { checkEnvironment, resolveEnvironment, type EnvironmentValues } from "./reference.ts";

export interface TaskOptions {
  /** Attempts in all, including the first (default 1). */
  readonly attempts?: number;
  /** Delay before retry n is `backoffMs * 2^(n-1)` (default 100). */
  readonly backoffMs?: number;
  /** A run longer than this fails with a timeout error (default: none). */
  readonly timeoutMs?: number;
}

/**
 * Where a task's code lives: an export of a module, or its own source (with the environment
 * it may reach) when it was defined on the fly.
 */
export type TaskReference =
  | { readonly kind: "export"; readonly module: string; readonly export: string }
  | { readonly kind: "source"; readonly name: string; readonly source: string; readonly environment: EnvironmentValues; readonly digest: string };

export interface Task<A extends unknown[] = unknown[], R = unknown> {
  (...args: A): R;
  readonly taskReference: TaskReference;
  readonly taskOptions: TaskOptions;
}

/** Identifies a task across processes: `module#export`, or `source:name:digest` for on-the-fly tasks. */
export function taskKey(reference: TaskReference): string {
  return reference.kind === "export" ? `${reference.module}#${reference.export}` : `source:${reference.name}:${reference.digest}`;
}

const tasksByKey = new Map<string, Task>();

/** Options the transformer adds where a task is exported: its module and export name. */
export interface TaskSite {
  readonly module: string;
  readonly export: string;
}

export function task<A extends unknown[], R>(fn: (...args: A) => R, options: TaskOptions = {}, site?: TaskSite): Task<A, R> {
  return defineTask(fn, options, site, {});
}

/** A task that carries its source, rebuilt where it runs with `environment`'s names in scope. */
export class Environment {
  readonly values: EnvironmentValues;
  constructor(values: EnvironmentValues) {
    checkEnvironment(values);
    this.values = Object.freeze({ ...values });
  }
  task<A extends unknown[], R>(fn: (...args: A) => R, options: TaskOptions = {}): Task<A, R> {
    return defineTask(fn, options, undefined, this.values);
  }
}

function defineTask<A extends unknown[], R>(fn: (...args: A) => R, options: TaskOptions, site: TaskSite | undefined, environment: EnvironmentValues): Task<A, R> {
  if (typeof fn !== "function") throw new TypeError("task() takes a function");
  const source = fn.toString();
  const reference: TaskReference = site
    ? { kind: "export", module: site.module, export: site.export }
    : { kind: "source", name: fn.name || "anonymous", source, environment, digest: createHash("sha256").update(`${Object.keys(environment).join(",")}\n${source}`).digest("hex").slice(0, 12) };
  const callable = ((...args: A) => fn(...args)) as Task<A, R>;
  Object.defineProperty(callable, "name", { value: fn.name || (site?.export ?? "task") });
  Object.defineProperty(callable, "taskReference", { value: reference });
  Object.defineProperty(callable, "taskOptions", { value: Object.freeze({ ...options }) });
  tasksByKey.set(taskKey(reference), callable as unknown as Task);
  return callable;
}

export function isTask(value: unknown): value is Task {
  return typeof value === "function" && "taskReference" in value;
}

/** The task a reference names, if its module has been loaded in this process. */
export function loadedTask(reference: TaskReference): Task | undefined {
  return tasksByKey.get(taskKey(reference));
}

/**
 * The task a reference names, importing its module when needed. Tasks carried as source
 * are rebuilt only from their own text (no environment), as the seed's pack does.
 */
export async function resolveTask(reference: TaskReference): Promise<Task> {
  const known = loadedTask(reference);
  if (known) return known;
  if (reference.kind === "export") {
    const module = (await import(reference.module)) as Record<string, unknown>;
    const found = module[reference.export];
    if (!isTask(found)) throw new TypeError(`${reference.module} has no task exported as ${reference.export}`);
    return found;
  }
  // The source is evaluated in a function whose parameters are the environment's names:
  // those and the globals are all it can reach.
  const values = await resolveEnvironment(reference.environment);
  const names = Object.keys(values);
  const fn = new Function(...names, `return (${reference.source});`)(...names.map((n) => values[n])) as (...args: unknown[]) => unknown;
  return defineTask(fn, {}, undefined, reference.environment);
}
