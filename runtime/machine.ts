// The helpers compiled step functions call, exported from the runtime as `machine`.
// Emitted code imports nothing else, so this is the whole contract between transformer and runtime.
import { WorkflowError } from "./errors.ts";
import { COMPLETED, SUSPENDED, type Frame, type TryRegion } from "./frame.ts";

export { SUSPENDED, COMPLETED };
export { defineWorkflow } from "./workflow.ts";
export { defineClosure } from "./closure.ts";
export { all, race, allSettled, any } from "./combinators.ts";

/** The outcome sent into the state after an await: its value, or its error thrown here. */
export function take(frame: Frame): unknown {
  const sent = frame.sent;
  frame.sent = undefined;
  if (sent === undefined) throw new WorkflowError("no-outcome", "a workflow was resumed without an outcome for its await");
  if (sent.kind === "error") throw sent.error;
  return sent.value;
}

/** The error a catch block binds. */
export function caught(frame: Frame): unknown {
  const error = frame.caught;
  frame.caught = undefined;
  return error;
}

/**
 * Routes an error thrown in state `frame.pc` to the innermost catch or finally that covers it.
 * Returns false when nothing does: the workflow fails with the error.
 */
export function unwind(frame: Frame, error: unknown, contexts: readonly number[], regions: readonly TryRegion[]): boolean {
  let context = contexts[frame.pc] ?? -1;
  while (context >= 0) {
    const index = context >> 1;
    const region = regions[index]!;
    if ((context & 1) === 0 && region.catchState >= 0) {
      frame.caught = error;
      frame.pc = region.catchState;
      return true;
    }
    if (region.finallyState >= 0) {
      frame.completions[index] = { type: "throw", value: error };
      frame.pc = region.finallyState;
      return true;
    }
    context = region.parent;
  }
  return false;
}

/** Enters the finally block of `region` on a return or a jump, with the finally blocks still to cross after it. */
export function enterFinally(frame: Frame, region: number, regions: readonly TryRegion[], completion: Frame["completions"][number]): void {
  frame.completions[region] = completion;
  frame.pc = regions[region]!.finallyState;
}

/** Normal end of a finally block: 0 to fall through past the try statement, 1 after a jump (pc set), 2 on return. */
export function endFinally(frame: Frame, region: number, regions: readonly TryRegion[]): 0 | 1 | 2 {
  const completion = frame.completions[region];
  if (completion === undefined) return 0;
  delete frame.completions[region];
  if (completion.type === "throw") throw completion.value;
  const [next, ...rest] = completion.via;
  if (next !== undefined) {
    enterFinally(frame, next, regions, { ...completion, via: rest });
    return 1;
  }
  if (completion.type === "return") {
    frame.result = completion.value;
    return 2;
  }
  frame.pc = completion.target;
  return 1;
}

/** A binding shared between the frame and the closures that capture it, one per loop iteration. */
export interface Box {
  value: unknown;
}
export function box(value: unknown): Box {
  return { value };
}

/** The array a `for…of` walks by index across awaits; other iterables cannot be resumed midway. */
export function forOfItems(iterable: unknown, where: string): readonly unknown[] {
  if (Array.isArray(iterable)) return iterable;
  if (typeof iterable === "string") return Array.from(iterable);
  const kind = iterable === null ? "null" : typeof iterable === "object" ? (iterable.constructor?.name ?? "object") : typeof iterable;
  throw new WorkflowError(
    "for-of-not-array",
    `for…of over a ${kind} at ${where} has an await in its body, and only arrays and strings can be resumed midway: materialise it first (Array.from(…) or [...…])`,
  );
}

/** The keys a `for…in` visits, taken once up front, as the loop would see them. */
export function forInKeys(object: unknown): string[] {
  const keys: string[] = [];
  if (object === null || object === undefined) return keys;
  for (const key in object as object) keys.push(key);
  return keys;
}

/** Whether a for…in key is still present (for…in skips keys deleted before they are reached). */
export function hasKey(object: unknown, key: string): boolean {
  return object !== null && object !== undefined && key in (object as object);
}

/** A frame whose pc names no state: a corrupt or hand-edited snapshot, never normal execution. */
export function badState(frame: Frame): never {
  throw new WorkflowError("bad-state", `the workflow's frame points at state ${frame.pc}, which does not exist`);
}

/** `{ a, ...rest } = value`: the own enumerable properties of `value` other than `used`. */
export function objectRest(value: unknown, used: readonly PropertyKey[]): Record<PropertyKey, unknown> {
  const rest: Record<PropertyKey, unknown> = {};
  if (value === null || value === undefined) throw new TypeError(`Cannot destructure ${value}`);
  const skip = new Set(used.map((k) => (typeof k === "number" ? String(k) : k)));
  for (const key of Reflect.ownKeys(Object(value))) {
    if (!skip.has(key) && Object.prototype.propertyIsEnumerable.call(value, key)) rest[key] = (value as Record<PropertyKey, unknown>)[key];
  }
  return rest;
}
