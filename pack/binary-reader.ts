// The binary form's reader: recursive descent over tags, with the depth, node and size
// limits checked as it goes. It builds values only through the codec table and the
// registry, and never assigns through a prototype (`__proto__` becomes an own key).
import type { ArgsCodec, ContainerCodec } from "./codecs.ts";
import { BY_TAG } from "./codecs.ts";
import { PackError, Unlocated, locate } from "./errors.ts";
import type { DecodeLimits } from "./limits.ts";
import { registeredNamed } from "./registry.ts";
import * as T from "./tags.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Stands in the reference table for an object whose parts are still being read. */
const PENDING = Symbol("pending");

export class BinaryReader {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private pos = 0;
  /** Where the value being read began: the offset errors report. */
  private at = 0;
  private readonly refs: unknown[] = [];
  private readonly keys: string[] = [];
  private depth = 0;
  private nodes = 0;

  private readonly limits: Required<DecodeLimits>;

  constructor(bytes: Uint8Array, limits: Required<DecodeLimits>) {
    this.limits = limits;
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  decode(version: number): unknown {
    try {
      if (this.buf.length > this.limits.maxBytes) {
        throw new Unlocated("too-large", `the input is ${this.buf.length} bytes, more than maxBytes (${this.limits.maxBytes})`);
      }
      if (this.buf.length < 2 && (this.buf.length === 0 || this.buf[0] === T.MAGIC)) throw this.truncated();
      if (this.buf[0] !== T.MAGIC) throw new Unlocated("malformed", "the input does not start with pack's magic byte 0x70");
      if (this.buf[1] !== version) {
        this.at = 1;
        throw new Unlocated("unknown-version", `the input is in pack binary format version ${this.buf[1]}; this code reads version ${version}`);
      }
      this.pos = 2;
      const value = this.value();
      if (this.pos !== this.buf.length) {
        this.at = this.pos;
        throw new Unlocated("malformed", `${this.buf.length - this.pos} bytes follow the end of the value`);
      }
      return value;
    } catch (error) {
      throw locate(error, { offset: this.at });
    }
  }

  /** Located at the end of the input, where the missing bytes should have been. */
  private truncated(): PackError {
    return new PackError("truncated", "the input ends in the middle of a value", { offset: this.buf.length });
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw this.truncated();
    return this.buf[this.pos++]!;
  }

  private varint(): number {
    // One byte (most counts, lengths, ids): no arithmetic past the first.
    const first = this.pos < this.buf.length ? this.buf[this.pos]! : 0x80;
    if (first < 0x80) {
      this.pos++;
      return first;
    }
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
    }
    throw new Unlocated("malformed", "a length or count is longer than 5 bytes");
  }

  /** A count of items that each take at least one byte cannot exceed what is left. */
  private count(): number {
    const n = this.varint();
    if (n > this.buf.length - this.pos) throw this.truncated();
    return n;
  }

  private value(): unknown {
    if (++this.nodes > this.limits.maxNodes) {
      throw new Unlocated("too-large", `the input holds more than maxNodes (${this.limits.maxNodes}) values`);
    }
    this.at = this.pos;
    const tag = this.byte();
    if (tag <= T.FIXINT_MAX) return tag;
    if (tag < T.UNDEFINED) return this.utf8String(tag & 0x1f);
    if (tag >= T.NEGFIXINT) return tag - 0x100;
    switch (tag) {
      case T.UNDEFINED: return undefined;
      case T.NULL: return null;
      case T.FALSE: return false;
      case T.TRUE: return true;
      case T.NEG_ZERO: return -0;
      case T.NAN: return NaN;
      case T.INFINITY: return Infinity;
      case T.NEG_INFINITY: return -Infinity;
      case T.UINT: return this.varint();
      case T.NINT: return -this.varint() - 1;
      case T.FLOAT64: {
        if (this.pos + 8 > this.buf.length) throw this.truncated();
        const n = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return n;
      }
      case T.NUMBERS: return this.numbers();
      case T.STRING: return this.utf8String(this.count());
      case T.STRING16: return this.string16();
      case T.BIGINT: return this.bigint();
      case T.ARRAY: return this.array();
      case T.OBJECT: return this.object();
      case T.REF: return this.ref();
    }
    return this.codec(tag);
  }

  private utf8String(length: number): string {
    const start = this.pos;
    const end = start + length;
    if (end > this.buf.length) throw this.truncated();
    this.pos = end;
    if (length > 24) return utf8.decode(this.buf.subarray(start, end));
    // Short strings: ASCII by hand (most keys and names), anything else by the decoder.
    const buf = this.buf;
    let s = "";
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b >= 0x80) return utf8.decode(buf.subarray(start, end));
      s += String.fromCharCode(b);
    }
    return s;
  }

  private string16(): string {
    const count = this.varint();
    if (count * 2 > this.buf.length - this.pos) throw this.truncated();
    const units = new Uint16Array(count);
    for (let i = 0; i < count; i++, this.pos += 2) units[i] = this.buf[this.pos]! | (this.buf[this.pos + 1]! << 8);
    let s = "";
    for (let i = 0; i < count; i += 8192) s += String.fromCharCode(...units.subarray(i, i + 8192));
    return s;
  }

  private bigint(): bigint {
    const length = this.count();
    const digits = this.utf8String(length);
    if (!/^-?\d+$/.test(digits)) throw new Unlocated("malformed", `a bigint must be decimal digits, got ${JSON.stringify(digits.slice(0, 40))}`);
    return BigInt(digits);
  }

  private key(): string {
    this.at = this.pos;
    const b = this.byte();
    if (b <= T.KEY_REF_MAX) return this.knownKey(b);
    if (b === T.KEY_REF) return this.knownKey(this.varint());
    if (b !== T.KEY_NEW) throw new Unlocated("malformed", `byte 0x${b.toString(16)} cannot start a key`);
    this.at = this.pos;
    const tag = this.byte();
    let k: string;
    if (tag >= T.FIXSTR && tag < T.UNDEFINED) k = this.utf8String(tag & 0x1f);
    else if (tag === T.STRING) k = this.utf8String(this.count());
    else if (tag === T.STRING16) k = this.string16();
    else throw new Unlocated("malformed", "a new key must be a string");
    this.keys.push(k);
    return k;
  }

  private knownKey(index: number): string {
    const k = this.keys[index];
    if (k === undefined) throw new Unlocated("malformed", `key #${index} is used before it is defined`);
    return k;
  }

  private enter(): void {
    if (++this.depth > this.limits.maxDepth) throw new Unlocated("too-deep", `the input nests deeper than maxDepth (${this.limits.maxDepth})`);
  }

  private array(): unknown[] {
    const length = this.varint();
    const a: unknown[] = [];
    this.refs.push(a);
    this.enter();
    while (a.length < length) {
      const b = this.buf[this.pos];
      if (b === T.HOLE || b === T.HOLES) {
        this.pos++;
        const run = b === T.HOLE ? 1 : this.varint();
        if (run === 0 || a.length + run > length) throw new Unlocated("malformed", "a run of holes goes past the end of its array");
        a.length += run;
      } else a.push(this.value());
    }
    this.depth--;
    return a;
  }

  /** A block of fixed-width numbers; each element counts as a node, as it would item by item. */
  private numbers(): number[] {
    const type = this.byte();
    if (type !== T.INT8_ITEMS && type !== T.INT16_ITEMS && type !== T.INT32_ITEMS && type !== T.FLOAT64_ITEMS) {
      throw new Unlocated("malformed", `a list of numbers has element type ${type}; the types are 1, 2, 4 (integers) and 8 (float64)`);
    }
    const length = this.varint();
    if (length * type > this.buf.length - this.pos) throw this.truncated();
    if ((this.nodes += length) > this.limits.maxNodes) {
      throw new Unlocated("too-large", `the input holds more than maxNodes (${this.limits.maxNodes}) values`);
    }
    // Preallocated (no holes remain once filled); past 2^16 items, push: V8 makes a huge `new Array(n)` a dictionary.
    const a: number[] = length <= 0x10000 ? new Array<number>(length) : [];
    this.refs.push(a);
    this.enter();
    const view = this.view;
    const at = this.pos;
    if (type === T.FLOAT64_ITEMS) for (let i = 0; i < length; i++) a[i] = view.getFloat64(at + 8 * i, true);
    else if (type === T.INT32_ITEMS) for (let i = 0; i < length; i++) a[i] = view.getInt32(at + 4 * i, true);
    else if (type === T.INT16_ITEMS) for (let i = 0; i < length; i++) a[i] = view.getInt16(at + 2 * i, true);
    else for (let i = 0; i < length; i++) a[i] = view.getInt8(at + i);
    this.pos = at + length * type;
    this.depth--;
    return a;
  }

  private object(): Record<string, unknown> {
    const count = this.count();
    const o: Record<string, unknown> = {};
    this.refs.push(o);
    this.enter();
    for (let i = 0; i < count; i++) {
      const k = this.key();
      const v = this.value();
      // Plain assignment would call Object.prototype's __proto__ setter and change o's prototype.
      if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
      else o[k] = v;
    }
    this.depth--;
    return o;
  }

  private ref(): unknown {
    const id = this.varint();
    if (id >= this.refs.length) throw new Unlocated("malformed", `reference #${id} points forward; only ${this.refs.length} objects precede it`);
    const target = this.refs[id];
    if (target === PENDING) throw new Unlocated("malformed", `reference #${id} points into its own unfinished value`);
    return target;
  }

  private codec(tag: number): unknown {
    const codec = BY_TAG[tag];
    if (codec === undefined) throw new Unlocated("malformed", `unknown tag 0x${tag.toString(16)}`);
    switch (codec.layout) {
      case "args": return this.args(codec);
      case "bytes": {
        const length = this.count();
        const bytes = codec.fromBytes(this.buf.subarray(this.pos, this.pos + length));
        this.pos += length;
        this.refs.push(bytes);
        return bytes;
      }
      case "reduced": return this.registered();
      default: return this.container(codec as ContainerCodec);
    }
  }

  /** Parts first, then build; the id is reserved before the parts, as the writer numbered it. */
  private args(codec: ArgsCodec): unknown {
    const start = this.at;
    const slot = codec.identity ? this.refs.push(PENDING) - 1 : -1;
    const count = this.byte();
    if (count < codec.arity[0] || count > codec.arity[1]) {
      throw new Unlocated("malformed", `${codec.name} takes ${codec.arity.join(" to ")} parts, not ${count}`);
    }
    this.enter();
    const parts: unknown[] = [];
    for (let i = 0; i < count; i++) parts.push(this.value());
    this.depth--;
    this.at = start;
    const value = codec.build(parts);
    if (slot >= 0) this.refs[slot] = value;
    return value;
  }

  private container(codec: ContainerCodec): unknown {
    const target = codec.create();
    this.refs.push(target);
    const pairs = codec.layout !== "members";
    const count = this.count();
    this.enter();
    const parts: unknown[] = [];
    for (let i = 0; i < count; i++) {
      if (codec.layout === "props") parts.push(this.key());
      else if (pairs) parts.push(this.value());
      parts.push(this.value());
    }
    this.depth--;
    codec.fill(target as never, parts);
    return target;
  }

  private registered(): unknown {
    const start = this.at;
    const name = this.key();
    const entry = registeredNamed(name);
    if (entry === undefined) {
      throw new PackError("unknown-class", `"${name}" is not registered here; register it before decoding`, { offset: start });
    }
    const slot = this.refs.push(PENDING) - 1;
    this.enter();
    const reduced = this.value();
    this.depth--;
    let value: unknown;
    try {
      value = entry.rebuild(reduced);
    } catch (error) {
      throw new PackError("class-failed", `rebuild() of registered "${name}" threw: ${String(error)}`, { offset: start, cause: error });
    }
    this.refs[slot] = value;
    return value;
  }
}
