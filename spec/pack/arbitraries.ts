// fast-check arbitraries for everything pack must carry: every built-in type of the codec
// table, sparse arrays, odd keys, a registered class, views sharing one buffer, and extra
// links wired between containers afterwards so that values share objects and hold cycles.
import fc from "fast-check";
import { register } from "../../pack/index.ts";

/** A registered class the round-trip tests carry. */
export class Point {
  x: number;
  y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
}
register(Point, { name: "spec.Point", reduce: (p: Point) => [p.x, p.y], rebuild: ([x, y]: number[]) => new Point(x!, y!) });

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  // Any UTF-16 code units, lone surrogates included.
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
);

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("__proto__", "constructor", "prototype", "0", "12", "-1", ""));

const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31), 2 ** 53, 127, 128, -32, -33, 0.1),
);

/**
 * Arrays of numbers only, long enough for the binary form's NUMBERS block, in each element
 * type's range (and past it, so the writer must widen), -0, NaN and ±Infinity included.
 */
const listLength = { minLength: 8, maxLength: 24 };
export const numberList: fc.Arbitrary<number[]> = fc.oneof(
  fc.array(fc.integer({ min: -128, max: 127 }), listLength),
  fc.array(fc.integer({ min: -32768, max: 32767 }), listLength),
  fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), listLength),
  fc.array(number, listLength),
);

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  number,
  anyString,
  fc.boolean(),
  fc.constantFrom(null, undefined),
  fc.bigInt(),
  fc.string({ maxLength: 5 }).map((k) => Symbol.for(k)),
);

const leafObject: fc.Arbitrary<unknown> = fc.oneof(
  fc.date({ noInvalidDate: false }),
  fc.tuple(fc.constantFrom("a+b", "^x$", "[0-9]{2}", "\\/", ""), fc.subarray(["g", "i", "m", "s", "u", "y", "d"]), fc.nat(20)).map(([source, flags, last]) => {
    const r = new RegExp(source, flags.join(""));
    r.lastIndex = last;
    return r;
  }),
  fc.uint8Array({ maxLength: 12 }).map((bytes) => bytes.buffer),
  fc.tuple(fc.integer(), fc.integer()).map(([x, y]) => new Point(x, y)),
  typedArrays(),
  sharedBufferViews(),
  numberList,
);

function typedArrays(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.int8Array(), fc.uint8Array(), fc.uint8ClampedArray(), fc.int16Array(), fc.uint16Array(), fc.int32Array(),
    fc.uint32Array(), fc.float32Array(), fc.float64Array(), fc.bigInt64Array(), fc.bigUint64Array(),
  );
}

/** Several views on one buffer: their offsets, lengths and the shared buffer must survive. */
function sharedBufferViews(): fc.Arbitrary<unknown> {
  const view = fc.tuple(fc.constantFrom("u8", "i16", "f64", "dv"), fc.nat(3), fc.nat(2));
  return fc.tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(view, { minLength: 1, maxLength: 4 })).map(([bytes, views]) => {
    const buffer = bytes.buffer;
    return views.map(([kind, slot, length]) => {
      if (kind === "u8") return new Uint8Array(buffer, slot, length);
      if (kind === "i16") return new Int16Array(buffer, slot * 2, length);
      if (kind === "f64") return new Float64Array(buffer, (slot % 2) * 8, length);
      return new DataView(buffer, slot, length);
    });
  });
}

function objectOf(entries: [string, unknown][], prototype: object | null): object {
  const o = Object.create(prototype) as object;
  // defineProperty: "__proto__" must become an own key, as pack decodes it.
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  return o;
}

const ERRORS = [Error, TypeError, RangeError, SyntaxError, EvalError, ReferenceError, URIError] as const;

const tree = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    leafObject,
    fc.sparseArray(tie("value"), { maxLength: 6 }),
    fc.array(tie("value"), { maxLength: 6 }),
    fc.array(fc.tuple(key, tie("value")), { maxLength: 5 }).map((entries) => objectOf(entries, Object.prototype)),
    fc.array(fc.tuple(key, tie("value")), { maxLength: 3 }).map((entries) => objectOf(entries, null)),
    fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 4 }).map((entries) => new Map(entries)),
    fc.array(tie("value"), { maxLength: 4 }).map((members) => new Set(members)),
    fc.tuple(fc.nat(ERRORS.length - 1), fc.string(), fc.option(tie("value")), fc.option(scalar)).map(([kind, message, cause, extra]) => {
      const e = cause === null ? new ERRORS[kind](message) : new ERRORS[kind](message, { cause });
      if (extra !== null) Object.assign(e, { code: extra });
      return e;
    }),
    fc.tuple(fc.array(tie("value"), { maxLength: 2 }), fc.string()).map(([errors, message]) => new AggregateError(errors, message)),
  ),
}));

/** Every container of a value, in a fixed order, for wiring extra links. */
function containers(root: unknown): object[] {
  const found: object[] = [];
  const seen = new Set<object>();
  const stack = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    const proto = Object.getPrototypeOf(v);
    if (Array.isArray(v)) (found.push(v), stack.push(...v));
    else if (v instanceof Map) (found.push(v), v.forEach((val, k) => stack.push(k, val)));
    else if (v instanceof Set) (found.push(v), v.forEach((m) => stack.push(m)));
    else if (proto === Object.prototype || proto === null) (found.push(v), stack.push(...Object.values(v)));
    else if (v instanceof Error) stack.push(v.cause);
  }
  return found;
}

/** Adds `to` inside `from`, making a shared reference or, if `to` contains `from`, a cycle. */
function link(from: object, to: object, n: number): void {
  if (Array.isArray(from)) from.push(to);
  else if (from instanceof Map) from.set(`link${n}`, to);
  else if (from instanceof Set) from.add(to);
  else Object.defineProperty(from, `link${n}`, { value: to, writable: true, enumerable: true, configurable: true });
}

/** Arbitrary values for pack: trees with shared references and cycles wired in. */
export const packable: fc.Arbitrary<unknown> = fc
  .tuple(tree.value, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }))
  .map(([value, links]) => {
    const all = containers(value);
    if (all.length > 0) links.forEach(([from, to], n) => link(all[from % all.length]!, all[to % all.length]!, n));
    return value;
  });
