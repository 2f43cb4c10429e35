// Values pack can hold, for the locals of a suspension: everything fc.anything makes with
// maps, sets, dates, typed arrays, sparse arrays, null-prototype objects and bigints, plus
// errors, regular expressions, shared references and cycles.
import fc from "fast-check";

const base = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
});

export const packValues: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: base },
  { weight: 1, arbitrary: fc.string().map((message) => new Error(message)) },
  { weight: 1, arbitrary: fc.constantFrom(/a+b/g, /x/iu, new RegExp("[0-9]", "y")) },
  { weight: 1, arbitrary: base.map((shared) => ({ left: shared, right: [shared, shared] })) },
  {
    weight: 1,
    arbitrary: base.map((inner) => {
      const cycle: Record<string, unknown> = { inner };
      cycle.self = cycle;
      return [cycle, new Map([["back", cycle]])];
    }),
  },
);
