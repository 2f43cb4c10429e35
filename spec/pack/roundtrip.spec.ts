// The round-trip law over arbitrary values, in both forms and through copy(): whatever
// pack encodes comes back isomorphic (types, -0, NaN, holes, key order, sharing, cycles).
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copy, decode, dumps, encode, loads } from "../../pack/index.ts";
import { roundTrip } from "../laws.ts";
import { numberList, packable } from "./arbitraries.ts";

const runs = 300;

test("binary form: decode(encode(v)) is isomorphic to v", () => {
  fc.assert(fc.property(packable, roundTrip(encode, decode)), { numRuns: runs });
});

test("text form, compact: loads(dumps(v)) is isomorphic to v", () => {
  fc.assert(fc.property(packable, roundTrip((v) => dumps(v), loads)), { numRuns: runs });
});

test("text form, pretty: loads(dumps(v, {indent, width})) is isomorphic to v", () => {
  fc.assert(fc.property(packable, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 100 }), (v, indent, width) =>
    roundTrip((x) => dumps(x, { indent, width }), loads)(v),
  ), { numRuns: runs });
});

test("copy() is isomorphic and shares nothing with its input", () => {
  fc.assert(fc.property(packable, (v) => {
    const c = copy(v);
    roundTrip((x) => x, () => c)(v);
    if (typeof v === "object" && v !== null) assert.is.not(c, v);
  }), { numRuns: runs });
});

test("the text form is stable: one value, one text; dumps(loads(t)) === t", () => {
  fc.assert(fc.property(packable, (v) => {
    const text = dumps(v, { indent: 2 });
    assert.is(dumps(v, { indent: 2 }), text);
    assert.is(dumps(loads(text), { indent: 2 }), text);
    assert.is(dumps(loads(dumps(v))), dumps(v));
  }), { numRuns: runs });
});

test("the two forms agree: text → value → binary equals binary of the original", () => {
  fc.assert(fc.property(packable, (v) => {
    assert.equal(encode(loads(dumps(v))), encode(v));
  }), { numRuns: runs });
});

test("lists of plain numbers (the text form's fast path, the binary NUMBERS block) round-trip, -0 and NaN included", () => {
  const list = fc.oneof(numberList, fc.array(fc.oneof(fc.double(), fc.integer()), { minLength: 8, maxLength: 40 }));
  fc.assert(fc.property(list, fc.option(fc.integer({ min: 0, max: 4 })), (numbers, indent) => {
    const options = indent === null ? undefined : { indent, width: 60 };
    const value = { numbers, shared: [numbers, numbers] };
    roundTrip((v) => dumps(v, options), loads)(value);
    roundTrip(encode, decode)(value);
    roundTrip(copy, (c) => c)(value);
  }), { numRuns: runs });
});

test("copy(v) is what decode(encode(v)) gives: both encode to the same bytes", () => {
  fc.assert(fc.property(packable, (v) => {
    assert.equal(encode(copy(v)), encode(v));
  }), { numRuns: runs });
});

test("objects of 128 keys and more (a count widened after the fact) round-trip; inherited enumerable keys stay out", () => {
  const sized = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, { i }]));
  const values = [sized(127), sized(128), sized(300), sized(20_000), { inner: sized(200), after: [sized(130)] }];
  const bytes = values.map((v) => encode(v));
  for (const v of values) {
    roundTrip(encode, decode)(v);
    roundTrip(copy, (c) => c)(v);
  }
  // for…in would list an enumerable key someone put on Object.prototype: the writers must not.
  (Object.prototype as Record<string, unknown>).polluted = 1;
  try {
    values.forEach((v, i) => assert.equal(encode(v), bytes[i]));
    assert.not.ok(Object.hasOwn(copy(values[0]!), "polluted"));
  } finally {
    delete (Object.prototype as Record<string, unknown>).polluted;
  }
});

test.run();
