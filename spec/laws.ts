// The laws every part's tests share, stated once: structural equality that also checks
// identity topology, the round-trip law, and "this function throws nothing but X".
// Each returns or throws a message that says what differed and where. `difference` lives in
// otf/testing (users compare their runs with it too) and is re-exported here.
import { difference } from "../testing/difference.ts";

export { difference };

/** Throws, saying what differed, unless `actual` is isomorphic to `expected`. */
export function assertIsomorphic(actual: unknown, expected: unknown, context = ""): void {
  const found = difference(expected, actual);
  if (found !== undefined) throw new Error(`${context ? context + ": " : ""}not isomorphic: ${found}`);
}

/** The round-trip law: going through `there` and `back` gives an isomorphic value. */
export function roundTrip<E>(there: (value: unknown) => E, back: (encoded: E) => unknown): (value: unknown) => void {
  return (value) => assertIsomorphic(back(there(value)), value, "round trip");
}

/**
 * The safety law of decoders: on any input, `run` returns or throws an instance of
 * `allowed` (for pack, PackError), never anything else.
 */
export function throwsOnly(allowed: abstract new (...args: never[]) => Error, run: () => unknown, describeInput: () => string = () => ""): void {
  try {
    run();
  } catch (error) {
    if (error instanceof allowed) return;
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`threw ${detail} instead of ${allowed.name} ${describeInput()}`, { cause: error });
  }
}
