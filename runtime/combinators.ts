// Promise.all / race / allSettled / any over futures, as data: the transformer rewrites those
// calls in a workflow into these, so awaiting them is a checkpoint like any other await.
import { Future, isThenable } from "./future.ts";
import { errorOutcome, valueOutcome, type Outcome } from "./outcome.ts";

export type CombinatorKind = "all" | "race" | "allSettled" | "any";

export class Combinator<T = unknown> implements PromiseLike<T> {
  readonly kind: CombinatorKind;
  readonly items: readonly unknown[];
  constructor(kind: CombinatorKind, items: readonly unknown[]) {
    this.kind = kind;
    this.items = items;
  }
  then<A = T, B = never>(onValue?: ((value: T) => A | PromiseLike<A>) | null, onError?: ((error: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return settle(this).then((o) => {
      if (o.kind === "value") return onValue ? onValue(o.value as T) : (o.value as A);
      if (onError) return onError(o.error);
      throw o.error;
    });
  }
}

export const all = (items: Iterable<unknown>) => new Combinator("all", [...items]);
export const race = (items: Iterable<unknown>) => new Combinator("race", [...items]);
export const allSettled = (items: Iterable<unknown>) => new Combinator("allSettled", [...items]);
export const any = (items: Iterable<unknown>) => new Combinator("any", [...items]);

/** Combines settled items in index order: deterministic, so a resumed run decides as a straight one. */
function combine(kind: CombinatorKind, outcomes: readonly (Outcome | undefined)[]): Outcome | undefined {
  switch (kind) {
    case "all": {
      const values: unknown[] = [];
      for (const o of outcomes) {
        if (!o) return undefined;
        if (o.kind === "error") return o;
        values.push(o.value);
      }
      return valueOutcome(values);
    }
    case "race":
      return outcomes.find((o) => o !== undefined);
    case "allSettled":
      if (outcomes.some((o) => !o)) return undefined;
      return valueOutcome(outcomes.map((o) => (o!.kind === "value" ? { status: "fulfilled", value: o!.value } : { status: "rejected", reason: o!.error })));
    case "any": {
      const ok = outcomes.find((o) => o?.kind === "value");
      if (ok) return ok;
      if (outcomes.some((o) => !o)) return undefined;
      return errorOutcome(new AggregateError(outcomes.map((o) => (o as { error: unknown }).error), "All promises were rejected"));
    }
  }
}

/** The outcome of awaiting `awaited`, if it is known without waiting. */
export function settledNow(awaited: unknown): Outcome | undefined {
  if (awaited instanceof Future) return awaited.outcome;
  if (awaited instanceof Combinator) {
    if (awaited.kind === "race" || awaited.kind === "any") {
      // A race is decided by the first settled item in index order, only once it cannot change.
      const outcomes = awaited.items.map(settledNow);
      const decided = combine(awaited.kind, outcomes);
      const firstPending = outcomes.findIndex((o) => !o);
      const decidedAt = decided ? outcomes.indexOf(decided) : -1;
      return decided && (firstPending === -1 || decidedAt < firstPending) ? decided : undefined;
    }
    return combine(awaited.kind, awaited.items.map(settledNow));
  }
  if (isThenable(awaited)) return undefined;
  return valueOutcome(awaited);
}

/** What awaiting `awaited` produces in this process: futures and combinators by their tasks, thenables natively. */
export async function settle(awaited: unknown): Promise<Outcome> {
  const now = settledNow(awaited);
  if (now) return now;
  if (awaited instanceof Future) return awaited.settled();
  if (awaited instanceof Combinator) {
    if (awaited.kind === "all" || awaited.kind === "allSettled") {
      return combine(awaited.kind, await Promise.all(awaited.items.map(settle)))!;
    }
    const pending = awaited.items.map(settle);
    if (awaited.kind === "race") return Promise.race(pending);
    return combine("any", await Promise.all(pending))!;
  }
  try {
    return valueOutcome(await awaited);
  } catch (error) {
    return errorOutcome(error);
  }
}
