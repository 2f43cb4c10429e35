// The futures a value holds, wherever they are: in locals, temps, completions, combinators and
// the environments of lifted closures. A scheduler re-attaches them to their tasks after a resume.
import { closureRecord } from "./closure.ts";
import { Combinator } from "./combinators.ts";
import { Future } from "./future.ts";
import type { Suspension } from "./suspension.ts";

export function futuresIn(value: unknown): Future[] {
  const found: Future[] = [];
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length) {
    const next = pending.pop();
    if ((typeof next !== "object" && typeof next !== "function") || next === null || seen.has(next)) continue;
    seen.add(next);
    // A future's arguments were fixed when it was deferred: nothing to re-attach there.
    if (next instanceof Future) found.push(next);
    else if (typeof next === "function") {
      const closure = closureRecord(next);
      if (closure) pending.push(closure.env);
    } else if (next instanceof Combinator) pending.push(...next.items);
    else if (Array.isArray(next)) pending.push(...next);
    else if (next instanceof Map) for (const [k, v] of next) pending.push(k, v);
    else if (next instanceof Set) pending.push(...next);
    else if (!ArrayBuffer.isView(next) && !(next instanceof Date) && !(next instanceof RegExp)) {
      for (const key of Object.keys(next)) pending.push((next as Record<string, unknown>)[key]);
    }
  }
  return found;
}

/** Every future a suspension holds: what it awaits and what its frame keeps for later. */
export function suspensionFutures(suspension: Suspension): Future[] {
  const { awaiting, locals, temps, completions } = suspension.record;
  return futuresIn([awaiting, locals, temps, completions]);
}
