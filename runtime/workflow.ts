// Workflow objects: what `workflow(async …)` gives the user. Compiled, a workflow is a step
// function over a frame; called directly it runs in-process like the async function it was.
import { settle, settledNow } from "./combinators.ts";
import { ResumeError } from "./errors.ts";
import { COMPLETED, newFrame, type Frame, type ResumePoint, type StepSignal, type TryRegion } from "./frame.ts";
import { currentExecutor, withExecutor, type Executor } from "./executor.ts";
import { Suspension } from "./suspension.ts";

/** What the transformer emits for one workflow. */
export interface CompiledWorkflow {
  /** Module path relative to the project root, `#`, and the workflow's name. */
  readonly id: string;
  readonly name: string;
  /** Hash of the workflow's source text. */
  readonly hash: string;
  /** URL of the compiled module, to import it in another process. */
  readonly module: string;
  readonly points: readonly ResumePoint[];
  readonly contexts: readonly number[];
  readonly regions: readonly TryRegion[];
  readonly step: (frame: Frame) => StepSignal;
}

export type Step<R> = Suspension | { readonly kind: "completed"; readonly value: R } | { readonly kind: "failed"; readonly error: unknown };

export interface Workflow<A extends unknown[] = unknown[], R = unknown> {
  /** Runs the workflow in this process to completion, as the async function would. */
  (...args: A): Promise<R>;
  readonly id: string;
  readonly hash: string;
  /** False when the transformer did not compile it: it can run, but not be snapshotted. */
  readonly compiled: boolean;
  /** Runs synchronously to the first await: the first suspension, or the end. */
  start(...args: A): Step<R>;
  /** The compiled definition (resume points, module), when compiled. */
  readonly definition: CompiledWorkflow | undefined;
}

const registry = new Map<string, CompiledWorkflow>();

/** The ids of the compiled workflows loaded in this process. */
export function loadedWorkflowIds(): string[] {
  return [...registry.keys()];
}

/** The compiled workflow with this id, if its module is loaded in this process. */
export function loadedWorkflow(id: string): CompiledWorkflow | undefined {
  return registry.get(id);
}

/** Runs one step from `frame` (mutating it) and says how it ended. */
export function runStep<R>(definition: CompiledWorkflow, frame: Frame): Step<R> {
  let signal: StepSignal;
  try {
    signal = definition.step(frame);
  } catch (error) {
    return { kind: "failed", error };
  }
  if (signal === COMPLETED) return { kind: "completed", value: frame.result as R };
  return new Suspension(definition, frame);
}

export interface DriveOptions {
  /** Runs the tasks every step defers (default: the executor current when `drive` is called). */
  readonly executor?: Executor;
  /** Sees each await before it is settled: the n-th, its resume point, the live frame's locals. */
  readonly onAwait?: (index: number, point: ResumePoint, locals: Readonly<Record<string, unknown>>) => void;
}

/**
 * Runs a compiled workflow to its end over one frame that is never copied (what calling the
 * workflow does), with the same executor around every step, also those after a real wait.
 */
export async function drive(definition: CompiledWorkflow, args: unknown[], options: DriveOptions = {}): Promise<unknown> {
  const executor = options.executor ?? currentExecutor();
  const frame = newFrame(args);
  for (let index = 0; ; index++) {
    if (withExecutor(executor, () => definition.step(frame)) === COMPLETED) return frame.result;
    if (options.onAwait) options.onAwait(index, definition.points.find((p) => p.state === frame.pc)!, frame.locals);
    // Continue synchronously when the awaited value is already known: no microtask per await.
    frame.sent = settledNow(frame.awaiting) ?? (await settle(frame.awaiting));
    frame.awaiting = undefined;
  }
}

/** Called by compiled code in place of the user's `workflow(async …)`. */
export function defineWorkflow<A extends unknown[], R>(definition: CompiledWorkflow): Workflow<A, R> {
  // A module loaded again from another URL (a rebuilt or reloaded version) replaces all the
  // workflows of its earlier version: what it no longer defines is no longer loaded.
  const modulePath = definition.id.slice(0, definition.id.lastIndexOf("#") + 1);
  for (const [id, known] of registry) if (id.startsWith(modulePath) && known.module !== definition.module) registry.delete(id);
  registry.set(definition.id, definition);
  const run = ((...args: A) => drive(definition, args)) as Workflow<A, R>;
  Object.defineProperties(run, {
    name: { value: definition.name },
    id: { value: definition.id },
    hash: { value: definition.hash },
    compiled: { value: true },
    definition: { value: definition },
    start: { value: (...args: A) => runStep<R>(definition, newFrame(args)) },
  });
  return run;
}

type AsyncFn<A extends unknown[], R> = (...args: A) => Promise<R>;

/**
 * Marks an async function as a workflow. The transformer replaces each call with its compiled
 * state machine; what reaches this function at run time was not compiled, and runs natively.
 * Also usable as a decorator on a static async method.
 */
export function workflow<A extends unknown[], R>(fn: AsyncFn<A, R>, context?: ClassMethodDecoratorContext): Workflow<A, R> {
  if (typeof fn !== "function") throw new TypeError("workflow() takes an async function");
  const name = context ? String(context.name) : fn.name || "anonymous";
  const run = ((...args: A) => fn(...args)) as Workflow<A, R>;
  Object.defineProperties(run, {
    name: { value: name },
    id: { value: name },
    hash: { value: "" },
    compiled: { value: false },
    definition: { value: undefined },
    start: {
      value: () => {
        throw new ResumeError(
          "not-compiled",
          `workflow ${name} was not compiled by the otf transformer, so it cannot be snapshotted: build with tspc (the otf plugin in tsconfig.json) or run with node --import otf/register`,
        );
      },
    },
  });
  return run;
}
