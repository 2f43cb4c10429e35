// copy(): a deep copy straight from value to value through the codec table, equal to
// decode(encode(value)) (the same types, sharing, cycles, holes and registered classes,
// and the same PackErrors) without writing or reading a byte. The runtime copies every
// frame it resumes this way, so this path is kept as lean as the binary writer.
import type { ArgsCodec, BytesCodec, Codec, ContainerCodec } from "./codecs.ts";
import { EncodeFailure, Unlocated } from "./errors.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { classCycle, encodingOf, isRegistered, isTravellingSymbol, partsOf, reduceOnce, tooDeep, unsupported } from "./lookup.ts";
import type { Registered } from "./registry.ts";

/** Stands in the copies table for a registered instance whose reduced value is being copied. */
const PENDING = Symbol("pending");
/** Stands in the copies table for a rebuild() that returned undefined (a Map cannot tell it from absent). */
const UNDEFINED = Symbol("undefined");

function enumerableInherited(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}

/** True for an array of numbers only: no holes (they read as undefined), nothing to look into. */
function onlyNumbers(a: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== "number") return false;
  return true;
}

/** Arrays of numbers (the bulk of most frames) get a loop of their own, which V8 keeps monomorphic. */
function copyNumbers(a: number[]): number[] {
  const length = a.length;
  const out: number[] = length <= 0x10000 ? new Array(length) : [];
  for (let i = 0; i < length; i++) out[i] = a[i]!;
  return out;
}

export class Copier {
  /** Each object met so far and its copy: a second meeting returns the same copy. */
  private readonly copies = new Map<object, unknown>();
  private depth = 0;
  /** Whether Object.prototype has enumerable properties, which for…in would list: checked once per copy. */
  private readonly inherited = enumerableInherited();

  value(v: unknown): unknown {
    if (typeof v === "object" ? v === null : typeof v !== "function") {
      if (typeof v === "symbol" && !isTravellingSymbol(v)) throw unsupported(v);
      return v;
    }
    return this.object(v as object);
  }

  private object(o: object): unknown {
    const done = this.copies.get(o);
    if (done !== undefined) {
      // As the writer refuses a reference back into a registered instance's own reduced value.
      if (done === PENDING) throw classCycle(o);
      return done === UNDEFINED ? undefined : done;
    }
    const encoding = encodingOf(o);
    if (encoding === undefined) throw unsupported(o);
    if (++this.depth > DEFAULT_LIMITS.maxDepth) throw tooDeep(o);
    let copy: unknown;
    if (encoding === "object") copy = this.plain(o as Record<string, unknown>);
    else if (encoding === "array") copy = this.array(o as unknown[]);
    else if (isRegistered(encoding)) copy = this.registered(encoding, o);
    else copy = this.codec(encoding, o);
    this.depth--;
    return copy;
  }

  private plain(o: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.copies.set(o, out);
    // for…in reads through V8's enum cache; Object.keys when Object.prototype has gained enumerable keys.
    const keys = this.inherited ? Object.keys(o) : undefined;
    if (keys === undefined) for (const k in o) this.put(out, k, this.value(o[k]));
    else for (const k of keys) this.put(out, k, this.value(o[k]));
    return out;
  }

  private put(out: Record<string, unknown>, k: string, v: unknown): void {
    // Plain assignment would call Object.prototype's __proto__ setter and change out's prototype.
    if (k === "__proto__") Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
    else out[k] = v;
  }

  private array(a: unknown[]): unknown[] {
    if (onlyNumbers(a)) {
      const out = copyNumbers(a as number[]);
      this.copies.set(a, out);
      return out;
    }
    const length = a.length;
    // Preallocated up to 2^16 items (a larger `new Array(n)` starts as a dictionary); holes are slots left unset.
    const out: unknown[] = length <= 0x10000 ? new Array(length) : [];
    this.copies.set(a, out);
    for (let i = 0; i < length; i++) {
      const item = a[i];
      if (item === undefined && !(i in a)) continue;
      out[i] = this.value(item);
    }
    out.length = length;
    return out;
  }

  private registered(entry: Registered, instance: object): unknown {
    const reduced = reduceOnce(entry, instance);
    this.copies.set(instance, PENDING);
    const copied = this.value(reduced);
    let rebuilt: unknown;
    try {
      rebuilt = entry.rebuild(copied);
    } catch (error) {
      throw new EncodeFailure("class-failed", `rebuild() of registered "${entry.name}" threw: ${String(error)}`, instance, { cause: error });
    }
    this.copies.set(instance, rebuilt === undefined ? UNDEFINED : rebuilt);
    return rebuilt;
  }

  private codec(codec: Codec, o: object): unknown {
    switch (codec.layout) {
      case "args": return this.args(codec, o);
      case "bytes": return this.bytes(codec, o);
      default: return this.container(codec as ContainerCodec, o);
    }
  }

  /** Parts first, then build, as the reader does; only views have an object (their buffer) among them. */
  private args(codec: ArgsCodec, o: object): unknown {
    const parts = partsOf(codec, o);
    for (let i = 0; i < parts.length; i++) parts[i] = this.value(parts[i]);
    let copy: unknown;
    try {
      copy = codec.build(parts);
    } catch (error) {
      // A value whose parts do not build (a view on a detached buffer) would fail to decode the same way.
      if (error instanceof Unlocated) throw new EncodeFailure(error.code, error.message, o, { cause: error });
      throw error;
    }
    this.copies.set(o, copy);
    return copy;
  }

  private bytes(codec: BytesCodec, o: object): unknown {
    const copy = codec.fromBytes(codec.bytes(o as never));
    this.copies.set(o, copy);
    return copy;
  }

  /** Created empty and recorded before its parts are copied, so the parts may refer back to it. */
  private container(codec: ContainerCodec, o: object): unknown {
    const target = codec.create();
    this.copies.set(o, target);
    const parts = partsOf(codec, o);
    if (codec.layout === "props") for (let i = 1; i < parts.length; i += 2) parts[i] = this.value(parts[i]);
    else for (let i = 0; i < parts.length; i++) parts[i] = this.value(parts[i]);
    codec.fill(target as never, parts);
    return target;
  }
}
