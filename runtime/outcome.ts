// What an `await` hands back to a workflow: a value, or an error to throw at the await.
export type Outcome = { readonly kind: "value"; readonly value: unknown } | { readonly kind: "error"; readonly error: unknown };

export function valueOutcome(value: unknown): Outcome {
  return { kind: "value", value };
}

export function errorOutcome(error: unknown): Outcome {
  return { kind: "error", error };
}

/** Runs `fn` and captures how it ended, so callers never have to try/catch around user code. */
export async function outcomeOf(fn: () => unknown): Promise<Outcome> {
  try {
    return valueOutcome(await fn());
  } catch (error) {
    return errorOutcome(error);
  }
}
