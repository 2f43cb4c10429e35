// Registered classes and values: the only way a user type passes through pack.
// Classes are matched by their exact prototype, values by a predicate; each has a
// stable name that is written into the encoding and looked up again on decode.
import { BY_PROTOTYPE } from "./codecs.ts";
import { PackError } from "./errors.ts";

export interface ClassCodec<T, R> {
  /** Stable name written into the encoding, e.g. "otf.Suspension". */
  name: string;
  reduce(instance: T): R;
  rebuild(reduced: R): T;
}

export interface ValueCodec<T, R> extends ClassCodec<T, R> {
  test(value: unknown): value is T;
}

/** A registration as the writers and readers see it. */
export interface Registered {
  readonly name: string;
  reduce(value: unknown): unknown;
  rebuild(reduced: unknown): unknown;
  /** The class for `register`, the predicate for `registerValue`. */
  readonly key: object;
}

// Names appear bare after `@` in the text form, so they are identifier-like.
const NAME = /^[A-Za-z_$][\w$]*(?:[.:/-][\w$]+)*$/;

const byName = new Map<string, Registered>();
const byPrototype = new Map<object, Registered>();
const byTest: { test(value: unknown): boolean; entry: Registered }[] = [];

function checkName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new PackError("bad-registration", `a registered name must look like "app.Order" (letters, digits, _ $ and . : / - between them), got ${JSON.stringify(name)}`);
  }
}

/** True when this exact registration exists; throws if the name is taken by something else. */
function alreadyRegistered(name: string, key: object): boolean {
  const existing = byName.get(name);
  if (existing === undefined) return false;
  if (existing.key === key) return true;
  throw new PackError("bad-registration", `the name "${name}" is already registered for another class or predicate; names must be unique`);
}

export function register<T, R>(cls: abstract new (...args: never[]) => T, codec: ClassCodec<T, R>): void {
  checkName(codec.name);
  const prototype: unknown = cls?.prototype;
  if (typeof prototype !== "object" || prototype === null) {
    throw new PackError("bad-registration", `register("${codec.name}") needs a class`);
  }
  if (BY_PROTOTYPE.has(prototype) || prototype === Object.prototype || prototype === Array.prototype) {
    throw new PackError("bad-registration", `${cls.name} is built into pack and cannot be registered`);
  }
  if (alreadyRegistered(codec.name, cls)) return;
  const other = byPrototype.get(prototype);
  if (other !== undefined) {
    throw new PackError("bad-registration", `class ${cls.name} is already registered as "${other.name}"`);
  }
  const entry: Registered = {
    name: codec.name, key: cls,
    reduce: (value) => codec.reduce(value as T),
    rebuild: (reduced) => codec.rebuild(reduced as R),
  };
  byName.set(entry.name, entry);
  byPrototype.set(prototype, entry);
}

export function registerValue<T, R>(codec: ValueCodec<T, R>): void {
  checkName(codec.name);
  if (typeof codec.test !== "function") throw new PackError("bad-registration", `registerValue("${codec.name}") needs a test function`);
  if (alreadyRegistered(codec.name, codec.test)) return;
  const entry: Registered = {
    name: codec.name, key: codec.test,
    reduce: (value) => codec.reduce(value as T),
    rebuild: (reduced) => codec.rebuild(reduced as R),
  };
  byName.set(entry.name, entry);
  byTest.push({ test: codec.test, entry });
}

/** The registration for a value no built-in codec takes: its class first, then the predicates in order. */
export function registeredFor(value: object, prototype: object | null): Registered | undefined {
  if (prototype !== null) {
    const entry = byPrototype.get(prototype);
    if (entry !== undefined) return entry;
  }
  for (const { test, entry } of byTest) if (test(value)) return entry;
  return undefined;
}

export function registeredNamed(name: string): Registered | undefined {
  return byName.get(name);
}
