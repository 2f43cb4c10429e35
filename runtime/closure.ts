// Closures created inside a workflow, lifted by the transformer to module-level factories with
// stable ids, so a closure live across an await is data: its id and its captured environment.
const CLOSURE = Symbol("otf.closure");

export interface ClosureRecord {
  readonly id: string;
  readonly env: Record<string, unknown>;
}

type ClosureFactory = (env: Record<string, unknown>) => (...args: never[]) => unknown;

const factories = new Map<string, ClosureFactory>();

/** Declares a lifted closure; the returned function makes one instance over an environment. */
export function defineClosure(id: string, make: ClosureFactory): (env: Record<string, unknown>) => (...args: never[]) => unknown {
  factories.set(id, make);
  return (env) => tag(make(env), id, env);
}

function tag<F extends object>(fn: F, id: string, env: Record<string, unknown>): F {
  Object.defineProperty(fn, CLOSURE, { value: { id, env } satisfies ClosureRecord });
  return fn;
}

export function closureRecord(value: unknown): ClosureRecord | undefined {
  return typeof value === "function" ? (value as { [CLOSURE]?: ClosureRecord })[CLOSURE] : undefined;
}

/**
 * Rebuilds a closure over an environment object that may still be filled in afterwards:
 * the lifted code reads its environment when called, so cycles through it resolve.
 */
export function rebuildClosure(id: string, env: Record<string, unknown>): (...args: never[]) => unknown {
  const make = factories.get(id);
  if (!make) {
    const [workflowId] = id.split("/");
    throw new Error(`closure ${id} is not loaded: import the module of workflow ${workflowId} before resuming its snapshot`);
  }
  return tag(make(env), id, env);
}
