// The text form's reader: a recursive-descent parser over the grammar in pack/README.md.
// Limits are checked as it goes; every failure is a PackError with line and column; values
// are built only through the codec table and the registry, never through a prototype.
import type { ArgsCodec, BytesCodec, ContainerCodec } from "./codecs.ts";
import { BY_NAME } from "./codecs.ts";
import { PackError, Unlocated, locate, type PackErrorCode } from "./errors.ts";
import type { DecodeLimits } from "./limits.ts";
import { registeredNamed } from "./registry.ts";

/** Stands in the anchor table for an object whose parts are still being read. */
const PENDING = Symbol("pending");
const NO_ANCHOR = -1;
const MAX_ARRAY_LENGTH = 2 ** 32 - 1;

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function isNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x24 || c === 0x2e;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export class TextReader {
  private readonly text: string;
  private readonly limits: Required<DecodeLimits>;
  private pos = 0;
  /** Where the value being built began: codec and class errors point there. */
  private at = 0;
  private readonly anchors = new Map<number, unknown>();
  private depth = 0;
  private nodes = 0;

  constructor(text: string, limits: Required<DecodeLimits>) {
    this.text = text;
    this.limits = limits;
  }

  loads(version: number): unknown {
    try {
      if (this.text.length > this.limits.maxBytes) {
        throw new Unlocated("too-large", `the text is ${this.text.length} characters, more than maxBytes (${this.limits.maxBytes})`);
      }
      this.header(version);
      const value = this.value();
      this.skipSpace();
      if (this.pos < this.text.length) throw this.unexpected("the end of the text");
      return value;
    } catch (error) {
      throw locate(error, this.lineColumn(this.at));
    }
  }

  private header(version: number): void {
    const prefix = "pack/";
    if (!this.text.startsWith(prefix)) {
      if (prefix.startsWith(this.text)) throw this.fail("truncated", "the text ends inside its pack/ header", this.text.length);
      throw this.fail("malformed", `a pack text starts with "pack/${version}"`);
    }
    this.pos = prefix.length;
    const found = this.integer();
    if (found !== version) {
      this.pos = prefix.length;
      throw this.fail("unknown-version", `the text is in pack text format version ${found}; this code reads version ${version}`);
    }
    const c = this.text.charCodeAt(this.pos);
    if (c === c && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) throw this.unexpected("a space after the header");
  }

  private lineColumn(offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = this.text.indexOf("\n"); i !== -1 && i < offset; i = this.text.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: offset - lineStart + 1 };
  }

  /** A located error at the current position. */
  private fail(code: PackErrorCode, message: string, at = this.pos): PackError {
    return new PackError(code, message, this.lineColumn(at));
  }

  private unexpected(wanted: string): PackError {
    if (this.pos >= this.text.length) return this.fail("truncated", `the text ends where ${wanted} should be`);
    return this.fail("malformed", `expected ${wanted}, found ${JSON.stringify(this.text[this.pos])}`);
  }

  private skipSpace(): void {
    const text = this.text;
    let c = text.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++this.pos);
  }

  private expect(c: number, wanted: string): void {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== c) throw this.unexpected(wanted);
    this.pos++;
  }

  private enter(): void {
    if (++this.depth > this.limits.maxDepth) throw this.fail("too-deep", `the text nests deeper than maxDepth (${this.limits.maxDepth})`);
  }

  /** After an opening bracket: true if an item follows, false if the list is already closed. */
  private open(close: number): boolean {
    this.pos++;
    this.enter();
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== close) return true;
    this.pos++;
    this.depth--;
    return false;
  }

  /** After an item: true if another follows; a trailing comma before the close is allowed. */
  private next(close: number): boolean {
    this.skipSpace();
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x2c) {
      this.pos++;
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== close) return true;
    } else if (c !== close) throw this.unexpected(`"," or "${String.fromCharCode(close)}"`);
    this.pos++;
    this.depth--;
    return false;
  }

  private value(): unknown {
    if (++this.nodes > this.limits.maxNodes) throw this.fail("too-large", `the text holds more than maxNodes (${this.limits.maxNodes}) values`);
    this.skipSpace();
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x22: return this.string();
      case 0x7b: return this.object(NO_ANCHOR);
      case 0x5b: return this.array(NO_ANCHOR);
      case 0x26: return this.anchored();
      case 0x2a: return this.ref();
      case 0x40: return this.registered(NO_ANCHOR);
      case 0x2d: return this.number();
    }
    if (isDigit(c)) return this.number();
    if (isNameChar(c)) return this.word(NO_ANCHOR);
    throw this.unexpected("a value");
  }

  private define(anchor: number, value: unknown): void {
    if (anchor !== NO_ANCHOR) this.anchors.set(anchor, value);
  }

  private integer(): number {
    const start = this.pos;
    while (isDigit(this.text.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start || this.pos - start > 10) throw this.unexpected("a whole number");
    return Number(this.text.slice(start, this.pos));
  }

  private anchored(): unknown {
    this.pos++;
    const anchor = this.integer();
    if (this.anchors.has(anchor)) throw this.fail("malformed", `anchor &${anchor} is defined twice`);
    this.skipSpace();
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b) return this.object(anchor);
    if (c === 0x5b) return this.array(anchor);
    if (c === 0x40) return this.registered(anchor);
    if (isNameChar(c) && !isDigit(c)) return this.word(anchor);
    throw this.unexpected("an object after the anchor (anchors name objects, not primitives)");
  }

  private ref(): unknown {
    const start = this.pos++;
    const anchor = this.integer();
    const target = this.anchors.get(anchor);
    if (target === undefined && !this.anchors.has(anchor)) throw this.fail("malformed", `*${anchor} refers to no anchor &${anchor} before it`, start);
    if (target === PENDING) throw this.fail("malformed", `*${anchor} refers into its own unfinished value`, start);
    return target;
  }

  private string(): string {
    const text = this.text;
    const start = ++this.pos;
    let c = text.charCodeAt(this.pos);
    while (c !== 0x22) {
      if (c === 0x5c || c < 0x20 || c !== c) return this.escapedString(start);
      c = text.charCodeAt(++this.pos);
    }
    return text.slice(start, this.pos++);
  }

  private escapedString(start: number): string {
    const text = this.text;
    let s = text.slice(start, this.pos);
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        return s;
      }
      if (c !== c) throw this.fail("truncated", "the text ends inside a string");
      if (c < 0x20) throw this.fail("malformed", "a control character inside a string must be escaped");
      if (c !== 0x5c) {
        s += text[this.pos++];
        continue;
      }
      const e = text[this.pos + 1];
      if (e === "u") {
        const hex = text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.fail(hex.length < 4 && this.pos + 6 > text.length ? "truncated" : "malformed", "\\u needs four hex digits");
        s += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else if (e !== undefined && e in ESCAPES) {
        s += ESCAPES[e];
        this.pos += 2;
      } else throw this.fail(e === undefined ? "truncated" : "malformed", `unknown escape \\${e ?? ""}`);
    }
  }

  private number(): number | bigint {
    const text = this.text;
    const start = this.pos;
    let negative = false;
    if (text.charCodeAt(this.pos) === 0x2d) {
      negative = true;
      this.pos++;
      if (text.startsWith("Infinity", this.pos)) {
        this.pos += 8;
        return -Infinity;
      }
    }
    let c = text.charCodeAt(this.pos);
    if (!isDigit(c)) throw this.unexpected("a digit");
    let whole = 0;
    if (c === 0x30) c = text.charCodeAt(++this.pos);
    else {
      do {
        whole = whole * 10 + (c - 0x30);
        c = text.charCodeAt(++this.pos);
      } while (isDigit(c));
    }
    let simple = this.pos - start < 16;
    if (c === 0x6e) {
      this.pos++;
      return BigInt(text.slice(start, this.pos - 1));
    }
    if (c === 0x2e) {
      simple = false;
      c = text.charCodeAt(++this.pos);
      if (!isDigit(c)) throw this.unexpected("a digit after the decimal point");
      while (isDigit(c)) c = text.charCodeAt(++this.pos);
    }
    if (c === 0x65 || c === 0x45) {
      simple = false;
      c = text.charCodeAt(++this.pos);
      if (c === 0x2b || c === 0x2d) c = text.charCodeAt(++this.pos);
      if (!isDigit(c)) throw this.unexpected("a digit in the exponent");
      while (isDigit(c)) c = text.charCodeAt(++this.pos);
    }
    if (simple) return negative ? -whole : whole;
    return Number(text.slice(start, this.pos));
  }

  private name(): string {
    const start = this.pos;
    let c = this.text.charCodeAt(this.pos);
    // Registered names may also hold ":", "/" and "-" between their parts.
    while (isNameChar(c) || c === 0x3a || c === 0x2f || (c === 0x2d && isNameChar(this.text.charCodeAt(this.pos + 1)))) {
      c = this.text.charCodeAt(++this.pos);
    }
    return this.text.slice(start, this.pos);
  }

  private word(anchor: number): unknown {
    this.at = this.pos;
    const start = this.pos;
    while (isNameChar(this.text.charCodeAt(this.pos))) this.pos++;
    const word = this.text.slice(start, this.pos);
    if (anchor === NO_ANCHOR) {
      switch (word) {
        case "null": return null;
        case "true": return true;
        case "false": return false;
        case "undefined": return undefined;
        case "NaN": return NaN;
        case "Infinity": return Infinity;
      }
    }
    const codec = BY_NAME.get(word);
    if (codec === undefined || (anchor !== NO_ANCHOR && codec.layout === "args" && !codec.identity)) {
      this.pos = start;
        if (anchor !== NO_ANCHOR) throw this.unexpected("an object after the anchor (anchors name objects, not primitives)");
      throw this.fail("malformed", `unknown word ${JSON.stringify(word)}`);
    }
    switch (codec.layout) {
      case "args": return this.args(codec, anchor, start);
      case "bytes": return this.bytes(codec, anchor);
      case "reduced": throw this.fail("malformed", "registered values are written @name");
      default: return this.container(codec, anchor);
    }
  }

  private object(anchor: number): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    this.define(anchor, o);
    if (this.open(0x7d)) {
      do {
        if (this.text.charCodeAt(this.pos) !== 0x22) throw this.unexpected("a quoted key");
        const key = this.string();
        this.expect(0x3a, '":"');
        const v = this.value();
        // Plain assignment would call Object.prototype's __proto__ setter and change o's prototype.
        if (key === "__proto__") Object.defineProperty(o, key, { value: v, writable: true, enumerable: true, configurable: true });
        else o[key] = v;
      } while (this.next(0x7d));
    }
    return o;
  }

  private array(anchor: number): unknown[] {
    const numbers = this.numberList();
    if (numbers !== undefined) {
      this.define(anchor, numbers);
      return numbers;
    }
    const a: unknown[] = [];
    this.define(anchor, a);
    if (this.open(0x5d)) {
      do {
        if (this.text.charCodeAt(this.pos) === 0x68) this.holes(a);
        else a.push(this.value());
      } while (this.next(0x5d));
    }
    return a;
  }

  /**
   * A list of plain numbers (`[1, 2.5, -3e-7]`), parsed by the engine's JSON parser, whose
   * number grammar is pack's; undefined (and nothing consumed) for any other list.
   */
  private numberList(): number[] | undefined {
    const text = this.text;
    let end = this.pos + 1;
    let c = text.charCodeAt(end);
    if (!isDigit(c) && c !== 0x2d) return undefined;
    // Digits, signs, points, exponents, commas and spaces, up to the closing bracket.
    while (isDigit(c) || c === 0x2c || c === 0x20 || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45 || c === 0x0a) c = text.charCodeAt(++end);
    if (c !== 0x5d) return undefined;
    let list: number[];
    try {
      list = JSON.parse(text.slice(this.pos, end + 1)) as number[];
    } catch {
      return undefined; // e.g. a trailing comma: the general path reads it, or says what is wrong
    }
    this.nodes += list.length;
    if (this.nodes > this.limits.maxNodes) throw this.fail("too-large", `the text holds more than maxNodes (${this.limits.maxNodes}) values`);
    if (this.depth + 1 > this.limits.maxDepth) return undefined;
    this.pos = end + 1;
    return list;
  }

  /** `hole` is one missing slot, `holes(n)` is n of them. */
  private holes(a: unknown[]): void {
    const start = this.pos;
    while (isNameChar(this.text.charCodeAt(this.pos))) this.pos++;
    const word = this.text.slice(start, this.pos);
    let run = 1;
    if (word === "holes") {
      this.expect(0x28, '"("');
      this.skipSpace();
      run = this.integer();
      this.expect(0x29, '")"');
    } else if (word !== "hole") {
      this.pos = start;
      throw this.fail("malformed", `unknown word ${JSON.stringify(word)}`);
    }
    if (run === 0 || a.length + run > MAX_ARRAY_LENGTH) throw this.fail("malformed", "a run of holes must be 1 or more and keep the array under 2^32 - 1 slots", start);
    a.length += run;
  }

  private args(codec: ArgsCodec, anchor: number, start: number): unknown {
    const c = this.text.charCodeAt(this.pos);
    if (anchor !== NO_ANCHOR) this.anchors.set(anchor, PENDING);
    const list = c === 0x5b && codec.list !== undefined;
    if (!list && c !== 0x28) throw this.unexpected(codec.list ? '"(" or "["' : '"("');
    const close = list ? 0x5d : 0x29;
    const parts: unknown[] = [];
    if (this.open(close)) {
      do parts.push(this.value());
      while (this.next(close));
    }
    this.at = start;
    if (!list && (parts.length < codec.arity[0] || parts.length > codec.arity[1])) {
      throw new Unlocated("malformed", `${codec.name} takes ${codec.arity.join(" to ")} parts, not ${parts.length}`);
    }
    const value = list ? codec.list!.fromElements(parts) : codec.build(parts);
    this.define(anchor, value);
    return value;
  }

  private bytes(codec: BytesCodec, anchor: number): unknown {
    this.expect(0x28, '"("');
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== 0x22) throw this.unexpected("a string of hex digits");
    const hex = this.string();
    this.expect(0x29, '")"');
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw this.fail("malformed", `${codec.name} needs an even number of hex digits`);
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    const value = codec.fromBytes(bytes);
    this.define(anchor, value);
    return value;
  }

  private container(codec: ContainerCodec, anchor: number): unknown {
    if (this.text.charCodeAt(this.pos) !== 0x7b) throw this.unexpected('"{"');
    const target = codec.create();
    this.define(anchor, target);
    const parts: unknown[] = [];
    if (this.open(0x7d)) {
      do {
        if (codec.layout === "members") parts.push(this.value());
        else {
          if (codec.layout === "props" && this.text.charCodeAt(this.pos) !== 0x22) throw this.unexpected("a quoted key");
          parts.push(this.value());
          if (codec.layout === "props") this.expect(0x3a, '":"');
          else this.arrow();
          parts.push(this.value());
        }
      } while (this.next(0x7d));
    }
    codec.fill(target as never, parts);
    return target;
  }

  private arrow(): void {
    this.skipSpace();
    if (!this.text.startsWith("=>", this.pos)) throw this.unexpected('"=>"');
    this.pos += 2;
  }

  private registered(anchor: number): unknown {
    const start = this.pos;
    this.pos++;
    const name = this.name();
    if (name === "") throw this.unexpected("a registered name after @");
    const entry = registeredNamed(name);
    if (entry === undefined) {
      this.pos = start;
      throw this.fail("unknown-class", `"${name}" is not registered here; register it before loading`);
    }
    if (anchor !== NO_ANCHOR) this.anchors.set(anchor, PENDING);
    const reduced = this.value();
    let value: unknown;
    try {
      value = entry.rebuild(reduced);
    } catch (error) {
      this.pos = start;
      throw new PackError("class-failed", `rebuild() of registered "${name}" threw: ${String(error)}`, { ...this.lineColumn(start), cause: error });
    }
    this.define(anchor, value);
    return value;
  }
}
