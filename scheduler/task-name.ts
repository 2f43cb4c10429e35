// Finding the futures a suspension holds. Resuming copies a frame, so after every step the futures
// in the new suspension are fresh objects that must be tied again to the tasks they stand for.
import { Combinator, Future, type Suspension, type TaskReference } from "../runtime/index.ts";

/** Every Future reachable from the suspension's locals, temps, finally completions and awaited value. */
export function futuresIn(suspension: Suspension): Future[] {
  const found: Future[] = [];
  const seen = new Set<object>();
  const { locals, temps, completions, awaiting } = suspension.record;
  const pending: unknown[] = [awaiting, locals, temps, completions];
  while (pending.length) {
    const value = pending.pop();
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    // A future's arguments were fixed when it was deferred: nothing to tie there.
    if (value instanceof Future) found.push(value);
    else if (value instanceof Combinator) pending.push(...value.items);
    else if (Array.isArray(value)) pending.push(...value);
    else if (value instanceof Map) for (const [k, v] of value) pending.push(k, v);
    else if (value instanceof Set) pending.push(...value);
    else if (!ArrayBuffer.isView(value) && !(value instanceof Date) && !(value instanceof RegExp)) {
      for (const key of Object.keys(value)) pending.push((value as Record<string, unknown>)[key]);
    }
  }
  return found;
}

/** `name(args…)` for messages and traces. */
export function taskName(task: TaskReference): string {
  return task.kind === "export" ? task.export : task.name;
}

export function taskKey(task: TaskReference): string {
  return task.kind === "export" ? `${task.module}#${task.export}` : `source:${task.name}:${task.source}`;
}
