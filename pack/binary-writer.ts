// The binary form's writer: one pass over the value into a growable byte buffer.
// Objects get ids in order of first appearance (later meetings are REF id), object keys
// go through a key table (later meetings are one byte), and the codec table does the rest.
import type { ArgsCodec, BytesCodec, Codec, ContainerCodec } from "./codecs.ts";
import { REGISTERED, SYMBOL } from "./codecs.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { classCycle, encodingOf, isRegistered, isTravellingSymbol, partsOf, reduceOnce, tooDeep, unsupported } from "./lookup.ts";
import type { Registered } from "./registry.ts";
import * as T from "./tags.ts";

const utf8 = new TextEncoder();
// ES2024's String.prototype.isWellFormed, which the project's es2023 lib does not declare.
const isWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed;

// One scratch buffer reused across calls (grown on demand); each result is a copy of its start.
let scratch = new Uint8Array(1 << 16);

/**
 * The narrowest NUMBERS element type that holds every item of `a` exactly, or 0 when an
 * item is not a number (a hole reads as undefined, so sparse arrays never qualify).
 * -0 is not an integer here: only float64 keeps its sign.
 */
function numbersType(a: unknown[]): number {
  let type = T.INT8_ITEMS;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x !== "number") return 0;
    if (type === T.FLOAT64_ITEMS) continue;
    if ((x | 0) !== x || (x === 0 && 1 / x < 0)) type = T.FLOAT64_ITEMS;
    else if (x < -0x8000 || x > 0x7fff) type = T.INT32_ITEMS;
    else if ((x < -0x80 || x > 0x7f) && type === T.INT8_ITEMS) type = T.INT16_ITEMS;
  }
  return type;
}

function enumerableInherited(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}

export class BinaryWriter {
  private buf = scratch;
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private ids = new Map<object, number>();
  private keys = new Map<string, number>();
  /** Registered instances whose reduced value is being written: meeting one again is a cycle. */
  private reducing = new Set<object>();
  private depth = 0;
  /** Whether Object.prototype has enumerable properties, which for…in would list: checked once per encode. */
  private readonly inherited = enumerableInherited();

  encode(value: unknown, version: number): Uint8Array {
    this.byte(T.MAGIC);
    this.byte(version);
    this.value(value);
    if (this.buf.length > scratch.length) scratch = this.buf;
    return this.buf.slice(0, this.pos);
  }

  private grow(needed: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + needed) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }

  private byte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  private varint(n: number): void {
    if (this.pos + 5 > this.buf.length) this.grow(5);
    const buf = this.buf;
    while (n >= 0x80) {
      buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[this.pos++] = n;
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case "number": return this.number(v);
      case "string": return this.string(v);
      case "boolean": return this.byte(v ? T.TRUE : T.FALSE);
      case "undefined": return this.byte(T.UNDEFINED);
      case "object": return v === null ? this.byte(T.NULL) : this.object(v);
      case "bigint": return this.bigint(v);
      case "symbol":
        if (!isTravellingSymbol(v)) throw unsupported(v);
        return this.args(SYMBOL as ArgsCodec, v);
      case "function": return this.object(v);
    }
  }

  private number(n: number): void {
    if ((n | 0) === n && (n !== 0 || 1 / n > 0)) {
      if (n >= 0) {
        if (n <= T.FIXINT_MAX) return this.byte(n);
        this.byte(T.UINT);
        return this.varint(n);
      }
      if (n >= -32) return this.byte(n & 0xff);
      this.byte(T.NINT);
      return this.varint(-(n + 1));
    }
    if (n === 0) return this.byte(T.NEG_ZERO);
    if (n !== n) return this.byte(T.NAN);
    if (n === Infinity) return this.byte(T.INFINITY);
    if (n === -Infinity) return this.byte(T.NEG_INFINITY);
    if (this.pos + 9 > this.buf.length) this.grow(9);
    this.buf[this.pos] = T.FLOAT64;
    this.view.setFloat64(this.pos + 1, n, true);
    this.pos += 9;
  }

  private string(s: string): void {
    const length = s.length;
    if (length <= T.FIXSTR_MAX_BYTES) return this.shortString(s);
    if (!isWellFormed.call(s)) return this.string16(s);
    // Reserve the varint for the worst case (3 bytes per code unit), pad it if fewer are used.
    const most = length * 3;
    const width = most < 0x80 ? 1 : most < 0x4000 ? 2 : most < 0x200000 ? 3 : most < 0x10000000 ? 4 : 5;
    if (this.pos + 1 + width + most > this.buf.length) this.grow(1 + width + most);
    const start = this.pos + 1 + width;
    const written = length < 64 ? this.utf8Into(s, start) : utf8.encodeInto(s, this.buf.subarray(start)).written;
    this.buf[this.pos] = T.STRING;
    let n = written;
    for (let i = 1; i < width; i++, n >>>= 7) this.buf[this.pos + i] = (n & 0x7f) | 0x80;
    this.buf[this.pos + width] = n;
    this.pos = start + written;
  }

  /** Up to 31 code units: one tag byte with the length in it, when the UTF-8 fits in 31 bytes. */
  private shortString(s: string): void {
    if (this.pos + 2 + s.length * 3 > this.buf.length) this.grow(2 + s.length * 3);
    const start = this.pos;
    const written = this.utf8Into(s, start + 1);
    if (written < 0) return this.string16(s);
    if (written <= T.FIXSTR_MAX_BYTES) {
      this.buf[start] = T.FIXSTR | written;
      this.pos = start + 1 + written;
      return;
    }
    // Non-ASCII text longer than 31 bytes: shift it one byte to make room for a length byte.
    this.buf.copyWithin(start + 2, start + 1, start + 1 + written);
    this.buf[start] = T.STRING;
    this.buf[start + 1] = written;
    this.pos = start + 2 + written;
  }

  /** UTF-8 of a short string at `at`; the count written, or -1 on a lone surrogate. */
  private utf8Into(s: string, at: number): number {
    const buf = this.buf;
    let p = at;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) buf[p++] = c;
      else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const next = s.charCodeAt(i + 1);
        if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return -1;
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        buf[p++] = 0xf0 | (cp >> 18);
        buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[p++] = 0x80 | (cp & 0x3f);
      } else {
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
      }
    }
    return p - at;
  }

  /** Strings UTF-8 cannot carry (lone surrogates) go as raw code units. */
  private string16(s: string): void {
    this.byte(T.STRING16);
    this.varint(s.length);
    if (this.pos + 2 * s.length > this.buf.length) this.grow(2 * s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      this.buf[this.pos++] = c & 0xff;
      this.buf[this.pos++] = c >> 8;
    }
  }

  private key(k: string): void {
    const index = this.keys.get(k);
    if (index === undefined) {
      this.keys.set(k, this.keys.size);
      this.byte(T.KEY_NEW);
      return this.string(k);
    }
    if (index <= T.KEY_REF_MAX) return this.byte(index);
    this.byte(T.KEY_REF);
    this.varint(index);
  }

  private bigint(n: bigint): void {
    const digits = n.toString();
    this.byte(T.BIGINT);
    this.varint(digits.length);
    if (this.pos + digits.length > this.buf.length) this.grow(digits.length);
    for (let i = 0; i < digits.length; i++) this.buf[this.pos++] = digits.charCodeAt(i);
  }

  private object(o: object): void {
    const id = this.ids.get(o);
    if (id !== undefined) {
      if (this.reducing.size > 0 && this.reducing.has(o)) throw classCycle(o);
      this.byte(T.REF);
      return this.varint(id);
    }
    const encoding = encodingOf(o);
    if (encoding === undefined) throw unsupported(o);
    this.ids.set(o, this.ids.size);
    if (++this.depth > DEFAULT_LIMITS.maxDepth) {
      throw tooDeep(o);
    }
    if (encoding === "object") this.plain(o as Record<string, unknown>);
    else if (encoding === "array") this.array(o as unknown[]);
    else if (isRegistered(encoding)) this.registered(encoding, o);
    else this.codec(encoding, o);
    this.depth--;
  }

  private plain(o: Record<string, unknown>): void {
    if (this.inherited) return this.plainByKeys(o);
    // for…in reads through V8's enum cache without allocating a key array; the count is
    // known only at the end, so one byte is reserved for it and widened if it needs more.
    this.byte(T.OBJECT);
    const at = this.pos;
    this.byte(0);
    let count = 0;
    for (const k in o) {
      this.key(k);
      this.value(o[k]);
      count++;
    }
    if (count <= 0x7f) this.buf[at] = count;
    else this.widenCount(at, count);
  }

  /** Puts a count of 128 or more into the one byte reserved at `at`, moving what follows. */
  private widenCount(at: number, count: number): void {
    const width = count < 0x4000 ? 2 : count < 0x200000 ? 3 : count < 0x10000000 ? 4 : 5;
    if (this.pos + width > this.buf.length) this.grow(width);
    this.buf.copyWithin(at + width, at + 1, this.pos);
    this.pos += width - 1;
    for (let i = 0; i < width - 1; i++, count >>>= 7) this.buf[at + i] = (count & 0x7f) | 0x80;
    this.buf[at + width - 1] = count;
  }

  /** When Object.prototype has enumerable properties (someone added one), for…in would list them. */
  private plainByKeys(o: Record<string, unknown>): void {
    const keys = Object.keys(o);
    this.byte(T.OBJECT);
    this.varint(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      this.key(k);
      this.value(o[k]);
    }
  }

  private array(a: unknown[]): void {
    const length = a.length;
    if (length >= T.NUMBERS_MIN_LENGTH) {
      const type = numbersType(a);
      if (type !== 0) return this.numbers(a as number[], type);
    }
    this.byte(T.ARRAY);
    this.varint(length);
    for (let i = 0; i < length; i++) {
      const item = a[i];
      if (item === undefined && !(i in a)) {
        let end = i + 1;
        while (end < length && !(end in a)) end++;
        if (end - i === 1) this.byte(T.HOLE);
        else {
          this.byte(T.HOLES);
          this.varint(end - i);
        }
        i = end - 1;
      } else this.value(item);
    }
  }

  /** An array of numbers only, as one block of fixed-width elements (DataView: endian-safe, and as fast as a copy). */
  private numbers(a: number[], type: number): void {
    const length = a.length;
    this.byte(T.NUMBERS);
    this.byte(type);
    this.varint(length);
    if (this.pos + length * type > this.buf.length) this.grow(length * type);
    const view = this.view;
    const at = this.pos;
    if (type === T.FLOAT64_ITEMS) for (let i = 0; i < length; i++) view.setFloat64(at + 8 * i, a[i]!, true);
    else if (type === T.INT32_ITEMS) for (let i = 0; i < length; i++) view.setInt32(at + 4 * i, a[i]!, true);
    else if (type === T.INT16_ITEMS) for (let i = 0; i < length; i++) view.setInt16(at + 2 * i, a[i]!, true);
    else for (let i = 0; i < length; i++) view.setInt8(at + i, a[i]!);
    this.pos = at + length * type;
  }

  private registered(entry: Registered, instance: object): void {
    const reduced = reduceOnce(entry, instance);
    this.byte(REGISTERED.tag);
    this.key(entry.name);
    this.reducing.add(instance);
    this.value(reduced);
    this.reducing.delete(instance);
  }

  private codec(codec: Codec, o: object): void {
    switch (codec.layout) {
      case "args": return this.args(codec, o);
      case "bytes": return this.bytes(codec, o);
      default: return this.container(codec as ContainerCodec, o);
    }
  }

  private args(codec: ArgsCodec, v: object | symbol): void {
    const parts = partsOf(codec, v);
    this.byte(codec.tag);
    this.byte(parts.length);
    for (const part of parts) this.value(part);
  }

  private bytes(codec: BytesCodec, o: object): void {
    const bytes = codec.bytes(o as never);
    this.byte(codec.tag);
    this.varint(bytes.length);
    if (this.pos + bytes.length > this.buf.length) this.grow(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  private container(codec: ContainerCodec, o: object): void {
    const parts = partsOf(codec, o);
    this.byte(codec.tag);
    if (codec.layout === "members") {
      this.varint(parts.length);
      for (const member of parts) this.value(member);
      return;
    }
    this.varint(parts.length / 2);
    for (let i = 0; i < parts.length; i += 2) {
      if (codec.layout === "props") this.key(parts[i] as string);
      else this.value(parts[i]);
      this.value(parts[i + 1]);
    }
  }
}
