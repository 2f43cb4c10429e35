// Which encoding a value takes: plain object, array, a built-in codec, a registration,
// or none (unsupported). Shared by both writers and by the path finder, so they agree.
import { BY_PROTOTYPE, NULL_PROTO, SYMBOL, type ArgsCodec, type Codec, type ContainerCodec } from "./codecs.ts";
import { EncodeFailure } from "./errors.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { registeredFor, type Registered } from "./registry.ts";

export type Encoding = "object" | "array" | Codec | Registered;

/** The encoding of an object or function; undefined when pack cannot take it. */
export function encodingOf(value: object): Encoding | undefined {
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === Object.prototype) return "object";
  if (prototype === Array.prototype && Array.isArray(value)) return "array";
  if (prototype === null) return NULL_PROTO;
  return BY_PROTOTYPE.get(prototype) ?? registeredFor(value, prototype);
}

/** True for registered symbols (Symbol.for), the only symbols that travel. */
export function isTravellingSymbol(value: symbol): boolean {
  return Symbol.keyFor(value) !== undefined;
}

export function isRegistered(encoding: Encoding): encoding is Registered {
  return typeof encoding === "object" && "reduce" in encoding;
}

export { SYMBOL };

/** A readable name for a value's type, for error messages: "function", "WeakMap", "class Order". */
export function describeType(value: unknown): string {
  if (typeof value === "function") return value.name ? `function ${value.name}` : "function";
  if (typeof value === "symbol") return `symbol ${String(value)} (only Symbol.for symbols travel)`;
  if (typeof value !== "object" || value === null) return typeof value;
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor;
  const name = typeof ctor === "function" && typeof ctor.name === "string" ? ctor.name : "object";
  const builtin = (globalThis as Record<string, unknown>)[name] === ctor;
  return builtin ? name : `instance of unregistered class ${name}`;
}

/** A codec's parts; a built-in codec failing means the value only looks like its type. */
export function partsOf(codec: ArgsCodec | ContainerCodec, v: object | symbol): unknown[] {
  try {
    return codec.parts(v as never);
  } catch (error) {
    throw new EncodeFailure("unsupported-type", `cannot encode an object that has the prototype of ${codec.name} but is not one`, v, { cause: error });
  }
}

export function classCycle(instance: object): EncodeFailure {
  return new EncodeFailure(
    "class-cycle",
    "a registered instance is reachable from its own reduced value; rebuild() cannot receive a value that does not exist yet, so break the cycle or reduce it away",
    instance,
  );
}

/** A registered instance's reduced value; reduce() throwing is reported against the instance. */
export function reduceOnce(entry: Registered, instance: object): unknown {
  try {
    return entry.reduce(instance);
  } catch (error) {
    throw new EncodeFailure("class-failed", `reduce() of registered "${entry.name}" threw: ${String(error)}`, instance, { cause: error });
  }
}

export function unsupported(value: unknown): EncodeFailure {
  const advice = typeof value === "symbol" ? "" : "; register its class (or a predicate with registerValue) to encode it";
  return new EncodeFailure("unsupported-type", `cannot encode a ${describeType(value)}${advice}`, value);
}

export function tooDeep(value: object): EncodeFailure {
  return new EncodeFailure("too-deep", `the value nests deeper than ${DEFAULT_LIMITS.maxDepth} levels`, value);
}
