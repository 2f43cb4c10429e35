// The table of codecs: one entry per built-in type beyond plain objects, arrays and
// primitives. Each entry says its binary tag, its name in the text form, how a value
// splits into parts and how parts build it back. Both forms and the tests read this table.
import { Unlocated } from "./errors.ts";

/**
 * How an entry's parts are laid out:
 * - `args`: a fixed-size list of parts, built after they are read (Date, RegExp, views …);
 * - `bytes`: raw bytes (ArrayBuffer);
 * - `entries` / `members` / `props`: a container created empty before its parts are read,
 *   so the parts may refer back to it (Map, Set, Error, null-prototype object);
 * - `reduced`: a registered class or value, written as its name and its reduced value.
 */
export type Layout = "args" | "bytes" | "entries" | "members" | "props" | "reduced";

interface Entry {
  /** Binary tag byte. Never reused; see the tag table in pack/README.md. */
  readonly tag: number;
  /** The name written in the text form, e.g. `Map` in `Map{"a" => 1}`. */
  readonly name: string;
}

export interface ArgsCodec extends Entry {
  readonly layout: "args";
  /** False for primitives (Symbol.for): they take no reference id. */
  readonly identity: boolean;
  readonly arity: readonly [min: number, max: number];
  parts(value: never): unknown[];
  /** Parts as a person reads them, when they differ (a Date's ISO string rather than its epoch). */
  readableParts?(value: never): unknown[];
  build(parts: unknown[]): unknown;
  /** Typed arrays that own their whole buffer are written as a list of their elements. */
  readonly list?: ElementList;
}

export interface ElementList {
  /** The elements, when the view may be written as a plain list; undefined otherwise. */
  elements(value: never, bufferShared: boolean): unknown[] | undefined;
  fromElements(items: unknown[]): unknown;
}

export interface BytesCodec extends Entry {
  readonly layout: "bytes";
  bytes(value: never): Uint8Array;
  fromBytes(bytes: Uint8Array): unknown;
}

export interface ContainerCodec extends Entry {
  readonly layout: "entries" | "members" | "props";
  /** For `entries` and `props`: key, value, key, value … (props keys are strings). */
  parts(value: never): unknown[];
  create(): object;
  fill(target: never, parts: unknown[]): void;
}

export interface ReducedEntry extends Entry {
  readonly layout: "reduced";
}

export type Codec = ArgsCodec | BytesCodec | ContainerCodec | ReducedEntry;

function bad(message: string): Unlocated {
  return new Unlocated("malformed", message);
}

function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

const ISO_DATE = /^(?:[+-]\d{6}|\d{4})-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const date: ArgsCodec = {
  tag: 0xc2, name: "Date", layout: "args", identity: true, arity: [1, 1],
  parts: (d: Date) => [d.getTime()],
  readableParts: (d: Date) => {
    const time = d.getTime();
    return [Number.isNaN(time) ? NaN : d.toISOString()];
  },
  build([time]) {
    if (typeof time === "string") {
      // Only the canonical ISO form: Date.parse's other formats vary between engines.
      const parsed = ISO_DATE.test(time) ? Date.parse(time) : NaN;
      if (Number.isNaN(parsed)) throw bad(`a Date needs an ISO timestamp like "2024-01-31T12:00:00.000Z", got ${JSON.stringify(time)}`);
      return new Date(parsed);
    }
    if (typeof time !== "number") throw bad("a Date needs a number or an ISO string");
    return new Date(time);
  },
};

const REGEXP_FLAGS = /^[dgimsuvy]*$/;

const regexp: ArgsCodec = {
  tag: 0xc3, name: "RegExp", layout: "args", identity: true, arity: [2, 3],
  parts: (r: RegExp) => (r.lastIndex === 0 ? [r.source, r.flags] : [r.source, r.flags, r.lastIndex]),
  build([source, flags, lastIndex = 0]) {
    if (typeof source !== "string" || typeof flags !== "string" || !REGEXP_FLAGS.test(flags)) {
      throw bad("a RegExp needs a source string and a flags string");
    }
    if (!isIndex(lastIndex)) throw bad("a RegExp's lastIndex must be a non-negative integer");
    const r = new RegExp(source, flags);
    r.lastIndex = lastIndex;
    return r;
  },
};

const symbol: ArgsCodec = {
  tag: 0xc4, name: "Symbol.for", layout: "args", identity: false, arity: [1, 1],
  parts: (s: symbol) => [Symbol.keyFor(s)],
  build([key]) {
    if (typeof key !== "string") throw bad("Symbol.for needs a string key");
    return Symbol.for(key);
  },
};

const arrayBuffer: BytesCodec = {
  tag: 0xc5, name: "ArrayBuffer", layout: "bytes",
  bytes: (b: ArrayBuffer) => new Uint8Array(b),
  // A copy into a buffer of its own: the input may be a Node Buffer, whose slice() copies nothing.
  fromBytes: (bytes) => new Uint8Array(bytes).buffer,
};

/** Checks a view's parts: a buffer, then an offset and a length in bounds and aligned. */
function viewParts(parts: unknown[], elementSize: number, name: string): [ArrayBuffer, number, number] {
  const [buffer, offset, length] = parts;
  if (!(buffer instanceof ArrayBuffer)) throw bad(`${name} needs an ArrayBuffer as its first part`);
  if (!isIndex(offset) || !isIndex(length) || offset % elementSize !== 0 || offset + length * elementSize > buffer.byteLength) {
    throw bad(`${name}'s offset and length must fit its ${buffer.byteLength}-byte buffer`);
  }
  return [buffer, offset, length];
}

const dataView: ArgsCodec = {
  tag: 0xc6, name: "DataView", layout: "args", identity: true, arity: [3, 3],
  parts: (v: DataView) => [v.buffer, v.byteOffset, v.byteLength],
  build: (parts) => new DataView(...viewParts(parts, 1, "DataView")),
};

const nullProto: ContainerCodec = {
  tag: 0xc7, name: "NullProto", layout: "props",
  parts(o: Record<string, unknown>) {
    const parts: unknown[] = [];
    for (const key of Object.keys(o)) parts.push(key, o[key]);
    return parts;
  },
  create: () => Object.create(null) as object,
  fill(target: Record<string, unknown>, parts) {
    for (let i = 0; i < parts.length; i += 2) target[parts[i] as string] = parts[i + 1];
  },
};

const registered: ReducedEntry = { tag: 0xc8, name: "@", layout: "reduced" };

const map: ContainerCodec = {
  tag: 0xc0, name: "Map", layout: "entries",
  parts(m: Map<unknown, unknown>) {
    const parts: unknown[] = [];
    // forEach: a for…of over entries would allocate a [key, value] pair per entry.
    m.forEach((value, key) => parts.push(key, value));
    return parts;
  },
  create: () => new Map(),
  fill(target: Map<unknown, unknown>, parts) {
    for (let i = 0; i < parts.length; i += 2) target.set(parts[i], parts[i + 1]);
  },
};

const set: ContainerCodec = {
  tag: 0xc1, name: "Set", layout: "members",
  parts: (s: Set<unknown>) => [...s],
  create: () => new Set(),
  fill(target: Set<unknown>, parts) {
    for (const member of parts) target.add(member);
  },
};

// Own properties an Error keeps non-enumerable, as the engine makes them.
const ERROR_HIDDEN = new Set(["message", "name", "stack", "cause", "errors"]);

function errorCodec(tag: number, ctor: ErrorConstructor | AggregateErrorConstructor): ContainerCodec {
  return {
    tag, name: ctor.name, layout: "props",
    parts(e: Error) {
      const parts: unknown[] = [];
      for (const key of ["message", "name", "stack", "cause", "errors"]) {
        if (Object.hasOwn(e, key)) parts.push(key, (e as unknown as Record<string, unknown>)[key]);
      }
      for (const key of Object.keys(e)) {
        if (!ERROR_HIDDEN.has(key)) parts.push(key, (e as unknown as Record<string, unknown>)[key]);
      }
      return parts;
    },
    create() {
      const e = ctor === AggregateError ? new AggregateError([]) : new (ctor as ErrorConstructor)();
      // The decoding process's stack and the empty `errors` are not the encoded error's.
      delete e.stack;
      if (ctor === AggregateError) delete (e as { errors?: unknown }).errors;
      return e;
    },
    fill(target: Error, parts) {
      for (let i = 0; i < parts.length; i += 2) {
        const key = parts[i] as string;
        Object.defineProperty(target, key, { value: parts[i + 1], writable: true, configurable: true, enumerable: !ERROR_HIDDEN.has(key) });
      }
    },
  };
}

type TypedArrayConstructor =
  | Int8ArrayConstructor | Uint8ArrayConstructor | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor
  | Float32ArrayConstructor | Float64ArrayConstructor | BigInt64ArrayConstructor | BigUint64ArrayConstructor;

type TypedArray = InstanceType<TypedArrayConstructor>;

function typedArrayCodec(tag: number, ctor: TypedArrayConstructor): ArgsCodec {
  const isBig = ctor === BigInt64Array || ctor === BigUint64Array;
  const size = ctor.BYTES_PER_ELEMENT;
  const Make = ctor as unknown as new (...args: unknown[]) => TypedArray;
  return {
    tag, name: ctor.name, layout: "args", identity: true, arity: [3, 3],
    parts: (v: TypedArray) => [v.buffer, v.byteOffset, v.length],
    build: (parts) => new Make(...viewParts(parts, size, ctor.name)),
    list: {
      elements(v: TypedArray, bufferShared) {
        const whole = !bufferShared && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;
        return whole ? Array.from(v as ArrayLike<unknown>) : undefined;
      },
      fromElements(items) {
        for (const item of items) {
          if (typeof item !== (isBig ? "bigint" : "number")) throw bad(`${ctor.name} holds ${isBig ? "bigints" : "numbers"} only`);
        }
        return new Make(items);
      },
    },
  };
}

const float16 = (globalThis as unknown as { Float16Array?: TypedArrayConstructor }).Float16Array;

/** The table. Tags 0xc0–0xdf; 0xdd–0xdf are free, 0xbf is reserved to extend the range. */
export const CODECS: readonly Codec[] = [
  map, set, date, regexp, symbol, arrayBuffer, dataView, nullProto, registered,
  errorCodec(0xc9, Error), errorCodec(0xca, EvalError), errorCodec(0xcb, RangeError),
  errorCodec(0xcc, ReferenceError), errorCodec(0xcd, SyntaxError), errorCodec(0xce, TypeError),
  errorCodec(0xcf, URIError), errorCodec(0xd0, AggregateError),
  typedArrayCodec(0xd1, Int8Array), typedArrayCodec(0xd2, Uint8Array), typedArrayCodec(0xd3, Uint8ClampedArray),
  typedArrayCodec(0xd4, Int16Array), typedArrayCodec(0xd5, Uint16Array), typedArrayCodec(0xd6, Int32Array),
  typedArrayCodec(0xd7, Uint32Array), typedArrayCodec(0xd8, Float32Array), typedArrayCodec(0xd9, Float64Array),
  typedArrayCodec(0xda, BigInt64Array), typedArrayCodec(0xdb, BigUint64Array),
  ...(float16 ? [typedArrayCodec(0xdc, float16)] : []),
];

export const REGISTERED = registered;
export const SYMBOL = symbol;
export const NULL_PROTO = nullProto;

/** Built-in prototypes with a codec; a value is matched by its exact prototype, never by instanceof. */
export const BY_PROTOTYPE: ReadonlyMap<object, Codec> = new Map<object, Codec>([
  [Map.prototype, map], [Set.prototype, set], [Date.prototype, date], [RegExp.prototype, regexp],
  [ArrayBuffer.prototype, arrayBuffer], [DataView.prototype, dataView],
  ...CODECS.filter((c) => c.tag >= 0xc9).map((c): [object, Codec] => [
    (globalThis as unknown as Record<string, { prototype: object }>)[c.name]!.prototype, c,
  ]),
]);

export const BY_TAG: readonly (Codec | undefined)[] = (() => {
  const table: (Codec | undefined)[] = new Array(256).fill(undefined);
  for (const codec of CODECS) table[codec.tag] = codec;
  return table;
})();

export const BY_NAME: ReadonlyMap<string, Codec> = new Map(CODECS.filter((c) => c !== registered).map((c) => [c.name, c]));
