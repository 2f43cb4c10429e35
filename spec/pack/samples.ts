// One or more sample values per entry of pack's codec table, plus a snapshot-like value.
// The golden, truncation and coverage tests iterate these; a new codec without a sample
// fails the coverage test, so no type enters the format untested.
import { Point } from "./arbitraries.ts";

function error<E extends Error>(e: E, extra: Record<string, unknown> = {}): E {
  // A fixed stack, so the golden files do not depend on where the test runs.
  e.stack = `${e.name}: ${e.message}\n    at golden (spec/pack/samples.ts:1:1)`;
  return Object.assign(e, extra);
}

const buffer = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 250, 251, 252, 253, 254, 255, 16, 32]).buffer;

export const SAMPLES: Record<string, unknown[]> = {
  Map: [new Map<unknown, unknown>([["a", 1], [2, "b"], [{ k: true }, [null]]])],
  Set: [new Set([1, "two", undefined, 3n])],
  Date: [new Date(Date.UTC(2024, 0, 31, 12, 30, 15, 250)), new Date(NaN), new Date(-62198755200000)],
  RegExp: [/ab+c/gi, Object.assign(/x/y, { lastIndex: 3 })],
  "Symbol.for": [Symbol.for("otf.marker")],
  ArrayBuffer: [buffer.slice(0, 6)],
  DataView: [new DataView(buffer.slice(0), 2, 5)],
  NullProto: [Object.assign(Object.create(null) as object, { a: 1, "__proto__": "own" })],
  "@": [new Point(3, -4)],
  Error: [error(new Error("boom", { cause: "root cause" }), { code: "E_BOOM" })],
  EvalError: [error(new EvalError("eval"))],
  RangeError: [error(new RangeError("range"))],
  ReferenceError: [error(new ReferenceError("ref"))],
  SyntaxError: [error(new SyntaxError("syntax"))],
  TypeError: [error(new TypeError("type"))],
  URIError: [error(new URIError("uri"))],
  AggregateError: [error(new AggregateError([error(new Error("inner"))], "many"))],
  Int8Array: [new Int8Array([-128, 0, 127])],
  Uint8Array: [new Uint8Array([0, 128, 255]), new Uint8Array(buffer.slice(0), 4, 3)],
  Uint8ClampedArray: [new Uint8ClampedArray([0, 255])],
  Int16Array: [new Int16Array([-32768, 32767])],
  Uint16Array: [new Uint16Array([0, 65535])],
  Int32Array: [new Int32Array([-(2 ** 31), 2 ** 31 - 1])],
  Uint32Array: [new Uint32Array([0, 2 ** 32 - 1])],
  Float32Array: [new Float32Array([1.5, -0, NaN, Infinity])],
  Float64Array: [new Float64Array([Math.PI, -0, NaN, -Infinity])],
  BigInt64Array: [new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])],
  BigUint64Array: [new BigUint64Array([0n, 2n ** 64n - 1n])],
  Float16Array: [new Float16Array([0.5, -2])],
};

/**
 * Arrays of numbers only, which the binary form writes as one NUMBERS block: one per
 * element type, the float64 one with -0, NaN and ±Infinity, and one list met twice.
 */
const ramp = (n: number, step: number, from = 0) => Array.from({ length: n }, (_, i) => from + i * step);
const shared = ramp(8, 1.5);
export const NUMBER_LISTS: Record<string, unknown> = {
  int8: ramp(8, 36, -128),
  int16: [...ramp(7, 1000, -3000), 32767],
  int32: [...ramp(8, 100_000), -(2 ** 31)],
  float64: [0.5, -0, NaN, Infinity, -Infinity, 2 ** 31, Number.MAX_VALUE, Number.MIN_VALUE],
  shared: { first: shared, again: shared },
  short: ramp(7, 1),
};

/** A value shaped like a workflow snapshot: the golden file a person would open. */
export function snapshot(): unknown {
  const customer = { id: "c-17", name: "Ada", since: new Date(Date.UTC(2020, 4, 1)) };
  const order: Record<string, unknown> = { id: 1042, customer, lines: [{ sku: "A-1", qty: 2, price: 9.99 }], total: 19.98 };
  const shared = new Uint8Array([1, 2, 3, 4]).buffer;
  const locals: Record<string, unknown> = {
    order,
    customer,
    retries: 0,
    backoff: -0,
    ratio: NaN,
    ceiling: Infinity,
    counter: 12345678901234567890n,
    seen: new Set(["A-1"]),
    prices: new Map<string, number>([["A-1", 9.99], ["B-2", 0.5]]),
    sparse: [1, , 3, , , 6],
    pattern: /^A-\d+$/u,
    head: new Uint8Array(shared, 0, 2),
    tail: new Uint8Array(shared, 2, 2),
    marker: Symbol.for("otf.resume"),
    nothing: undefined,
    failure: error(new TypeError("card declined", { cause: { code: 402 } })),
    point: new Point(1, 2),
  };
  order.self = order;
  return { workflow: { module: "shop/checkout.ts", name: "checkout", hash: "9f2c1e" }, resumePoint: "await#3:charge", locals, awaiting: { future: 7, task: "chargeCard" } };
}
