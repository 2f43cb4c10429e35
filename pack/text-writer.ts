// The text form's writer. A first pass finds the objects met more than once (they get
// an anchor `&n` where first written and `*n` after); the second renders, bottom-up, so
// that in pretty mode each container knows whether it fits on one line within `width`.
import type { ArgsCodec, Codec, ContainerCodec } from "./codecs.ts";
import { SYMBOL } from "./codecs.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { classCycle, encodingOf, isRegistered, isTravellingSymbol, partsOf, reduceOnce, tooDeep, unsupported } from "./lookup.ts";
import type { Registered } from "./registry.ts";

export interface PackOptions {
  /** Spaces per level; without it the text is one compact line. */
  indent?: number;
  /** Pretty mode puts a container on one line when it fits in this many columns (default 80). */
  width?: number;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

export function numberText(n: number): string {
  if (n === 0 && 1 / n < 0) return "-0";
  return "" + n; // NaN, Infinity and -Infinity come out as the keywords the reader knows
}

export class TextWriter {
  /** 1 for objects met once, 2 for those met again (shared or cyclic). */
  readonly counts = new Map<object, number>();
  /** Each registered instance's reduced value, taken once so both passes see the same one. */
  readonly reductions = new Map<object, unknown>();
  private readonly anchors = new Map<object, number>();
  private readonly reducing = new Set<object>();
  private readonly quotedKeys = new Map<string, string>();
  private readonly pretty: boolean;
  private readonly indent: string;
  private readonly width: number;
  /** Whether anything rendered since the enclosing container began spans several lines. */
  private broke = false;

  constructor(options: PackOptions = {}) {
    this.pretty = options.indent !== undefined;
    this.indent = " ".repeat(Math.max(0, Math.min(16, options.indent ?? 0)));
    this.width = options.width ?? 80;
  }

  dumps(value: unknown, version: number): string {
    this.scan(value, 0);
    return `pack/${version}${this.pretty ? "\n" : " "}${this.value(value, 0, this.width)}`;
  }

  private scan(v: unknown, depth: number): void {
    if (typeof v === "symbol" && !isTravellingSymbol(v)) throw unsupported(v);
    if ((typeof v !== "object" && typeof v !== "function") || v === null) return;
    const seen = this.counts.get(v);
    if (seen !== undefined) {
      if (seen === 1) this.counts.set(v, 2);
      return;
    }
    this.counts.set(v, 1);
    const encoding = encodingOf(v);
    if (encoding === undefined) throw unsupported(v);
    if (depth >= DEFAULT_LIMITS.maxDepth) throw tooDeep(v);
    if (encoding === "object") {
      for (const key of Object.keys(v)) this.scan((v as Record<string, unknown>)[key], depth + 1);
    } else if (encoding === "array") {
      for (let i = 0; i < (v as unknown[]).length; i++) this.scan((v as unknown[])[i], depth + 1);
    } else if (isRegistered(encoding)) {
      const reduced = reduceOnce(encoding, v);
      this.reductions.set(v, reduced);
      this.scan(reduced, depth + 1);
    } else if (encoding.layout !== "bytes" && encoding.layout !== "reduced") {
      for (const part of partsOf(encoding, v)) this.scan(part, depth + 1);
    }
  }

  private value(v: unknown, level: number, room: number): string {
    switch (typeof v) {
      case "number": return numberText(v);
      case "string": return JSON.stringify(v);
      case "boolean": return v ? "true" : "false";
      case "undefined": return "undefined";
      case "bigint": return `${v}n`;
      case "symbol": return this.args(SYMBOL as ArgsCodec, v, level, room);
    }
    if (v === null) return "null";
    // Objects are handled here rather than in a method of their own: one stack frame less
    // per level of nesting lets deeper values through before the stack runs out.
    const o = v as object;
    const anchor = this.anchors.get(o);
    if (anchor !== undefined) {
      if (this.reducing.has(o)) throw classCycle(o);
      return `*${anchor}`;
    }
    let prefix = "";
    if (this.counts.get(o) === 2) {
      const id = this.anchors.size + 1;
      this.anchors.set(o, id);
      prefix = `&${id} `;
      room -= prefix.length;
    }
    const encoding = encodingOf(o)!;
    if (encoding === "object") return prefix + this.plain(o as Record<string, unknown>, level, room);
    if (encoding === "array") return prefix + this.array(o as unknown[], level, room);
    if (isRegistered(encoding)) return prefix + this.registered(encoding, o, level, room);
    return prefix + this.codec(encoding, o, level, room);
  }

  private itemRoom(level: number): number {
    return this.width - (level + 1) * this.indent.length - 1;
  }

  private quoted(key: string): string {
    let text = this.quotedKeys.get(key);
    if (text === undefined) this.quotedKeys.set(key, (text = JSON.stringify(key)));
    return text;
  }

  private plain(o: Record<string, unknown>, level: number, room: number): string {
    const saved = this.broke;
    this.broke = false;
    const keys = Object.keys(o);
    const items = new Array<string>(keys.length);
    const sep = this.pretty ? ": " : ":";
    const itemRoom = this.itemRoom(level);
    for (let i = 0; i < keys.length; i++) {
      const key = this.quoted(keys[i]!);
      items[i] = key + sep + this.value(o[keys[i]!], level + 1, itemRoom - key.length - sep.length);
    }
    return this.group("{", items, "}", level, room, saved);
  }

  private array(a: unknown[], level: number, room: number): string {
    const saved = this.broke;
    if (isNumberList(a)) {
      // Lists of plain numbers are common in frames; the engine's JSON writer spells them as we do.
      const json = JSON.stringify(a);
      if (!this.pretty) return json;
      const inline = json.replaceAll(",", ", ");
      if (inline.length <= room) return inline;
    }
    this.broke = false;
    const items: string[] = [];
    const itemRoom = this.itemRoom(level);
    for (let i = 0; i < a.length; i++) {
      const item = a[i];
      if (item === undefined && !(i in a)) {
        let end = i + 1;
        while (end < a.length && !(end in a)) end++;
        items.push(end - i === 1 ? "hole" : `holes(${end - i})`);
        i = end - 1;
      } else items.push(this.value(item, level + 1, itemRoom));
    }
    return this.group("[", items, "]", level, room, saved);
  }

  private registered(entry: Registered, o: object, level: number, room: number): string {
    const head = `@${entry.name} `;
    this.reducing.add(o);
    const body = this.value(this.reductions.get(o), level, room - head.length);
    this.reducing.delete(o);
    return head + body;
  }

  private codec(codec: Codec, o: object, level: number, room: number): string {
    switch (codec.layout) {
      case "args": return this.args(codec, o, level, room);
      case "bytes": {
        let hex = "";
        for (const b of codec.bytes(o as never)) hex += HEX[b];
        return `${codec.name}("${hex}")`;
      }
      case "reduced": return "";
      default: return this.container(codec, o, level, room);
    }
  }

  private args(codec: ArgsCodec, v: object | symbol, level: number, room: number): string {
    const saved = this.broke;
    this.broke = false;
    const itemRoom = this.itemRoom(level);
    const list = codec.list?.elements(v as never, this.counts.get((v as ArrayBufferView).buffer) === 2);
    if (list !== undefined) {
      const items = list.map((item) => this.value(item, level + 1, itemRoom));
      return this.group(`${codec.name}[`, items, "]", level, room, saved);
    }
    const parts = codec.readableParts ? codec.readableParts(v as never) : partsOf(codec, v);
    const items = parts.map((part) => this.value(part, level + 1, itemRoom));
    return this.group(`${codec.name}(`, items, ")", level, room, saved);
  }

  private container(codec: ContainerCodec, o: object, level: number, room: number): string {
    const saved = this.broke;
    this.broke = false;
    const parts = partsOf(codec, o);
    const itemRoom = this.itemRoom(level);
    const items: string[] = [];
    if (codec.layout === "members") {
      for (const member of parts) items.push(this.value(member, level + 1, itemRoom));
    } else {
      const sep = codec.layout === "props" ? (this.pretty ? ": " : ":") : this.pretty ? " => " : "=>";
      for (let i = 0; i < parts.length; i += 2) {
        const key = codec.layout === "props" ? this.quoted(parts[i] as string) : this.value(parts[i], level + 1, itemRoom);
        items.push(key + sep + this.value(parts[i + 1], level + 1, itemRoom - key.length - sep.length));
      }
    }
    return this.group(`${codec.name}{`, items, "}", level, room, saved);
  }

  /**
   * One line if it fits and no item spans lines; otherwise one item per line. Built with
   * `+` rather than join(): concatenation makes ropes, so deep nesting stays linear.
   */
  private group(open: string, items: string[], close: string, level: number, room: number, saved: boolean): string {
    const n = items.length;
    if (n === 0) {
      this.broke = saved;
      return open + close;
    }
    let text = open + items[0]!;
    if (!this.pretty) {
      for (let i = 1; i < n; i++) text += "," + items[i]!;
      return text + close;
    }
    let length = open.length + close.length + 2 * (n - 1);
    for (let i = 0; i < n && length <= room; i++) length += items[i]!.length;
    if (!this.broke && length <= room) {
      for (let i = 1; i < n; i++) text += ", " + items[i]!;
      this.broke = saved;
      return text + close;
    }
    this.broke = true;
    const pad = "\n" + this.indent.repeat(level + 1);
    text = open + pad + items[0]!;
    for (let i = 1; i < n; i++) text += "," + pad + items[i]!;
    return text + "\n" + this.indent.repeat(level) + close;
  }
}

/** True for a dense array of finite numbers other than -0: JSON.stringify writes it as pack does. */
function isNumberList(a: unknown[]): boolean {
  if (a.length < 8) return false;
  for (let i = 0; i < a.length; i++) {
    const n = a[i];
    if (typeof n !== "number" || n - n !== 0 || (n === 0 && 1 / n < 0)) return false;
  }
  return true;
}
