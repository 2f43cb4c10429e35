// One test per PackError code (and per place it can arise), asserting the code and the
// location: the path on encode, the byte offset on decode, line and column on loads.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PackError, copy, decode, dumps, encode, loads, register, registerValue, type DecodeLimits } from "../../pack/index.ts";
import { Point } from "./arbitraries.ts";

function caught(run: () => unknown): PackError {
  try {
    run();
  } catch (error) {
    if (error instanceof PackError) return error;
    throw new Error(`expected a PackError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected a PackError, nothing was thrown");
}

/** Every way to write a value, copy() included: each must refuse it with the same code and path. */
function bothForms(value: unknown): PackError[] {
  return [caught(() => encode(value)), caught(() => dumps(value)), caught(() => dumps(value, { indent: 2 })), caught(() => copy(value))];
}

function bytes(...b: number[]): Uint8Array {
  return new Uint8Array([0x70, 0x01, ...b]);
}

class Unregistered {}
class Loop {
  self: unknown = this;
}
register(Loop, { name: "spec.Loop", reduce: (l: Loop) => ({ inner: l.self }), rebuild: () => new Loop() });
class Fragile {}
register(Fragile, {
  name: "spec.Fragile",
  reduce: () => 1,
  rebuild: () => {
    throw new Error("cannot rebuild");
  },
});
class Grumpy {}
register(Grumpy, {
  name: "spec.Grumpy",
  reduce: () => {
    throw new Error("cannot reduce");
  },
  rebuild: () => new Grumpy(),
});

test("unsupported-type: a function, named with its path", () => {
  for (const e of bothForms({ locals: { handler: function onDone() {} } })) {
    assert.is(e.code, "unsupported-type");
    assert.is(e.path, "$.locals.handler");
    assert.match(e.message, "function onDone");
  }
});

test("unsupported-type: WeakMap, Promise and an unregistered class inside arrays, Maps and Sets", () => {
  const cases: [unknown, string, string][] = [
    [{ a: [1, new WeakMap()] }, "$.a[1]", "WeakMap"],
    [new Map([["k", Promise.resolve()]]), '$.get("k")', "Promise"],
    [{ s: new Set([1, new Unregistered()]) }, "$.s.values()[1]", "unregistered class Unregistered"],
    [{ "odd key": Symbol("local") }, '$["odd key"]', "symbol"],
  ];
  for (const [value, path, type] of cases) {
    for (const e of bothForms(value)) {
      assert.is(e.code, "unsupported-type");
      assert.is(e.path, path);
      assert.match(e.message, type);
    }
  }
});

test("class-cycle: a registered instance reachable from its own reduced value", () => {
  for (const e of bothForms({ loop: new Loop() })) {
    assert.is(e.code, "class-cycle");
    assert.is(e.path, "$.loop");
  }
});

test("class-failed: reduce() throwing on encode names the class and the path", () => {
  for (const e of bothForms([new Grumpy()])) {
    assert.is(e.code, "class-failed");
    assert.is(e.path, "$[0]");
    assert.match(e.message, "spec.Grumpy");
  }
});

test("class-failed: rebuild() throwing on decode names the class, with offset or line:column", () => {
  const b = caught(() => decode(encode({ f: new Fragile() })));
  assert.is(b.code, "class-failed");
  assert.is(b.offset, 7);
  assert.match(b.message, "spec.Fragile");
  const t = caught(() => loads('pack/1\n{\n  "f": @spec.Fragile 1\n}'));
  assert.is(t.code, "class-failed");
  assert.equal([t.line, t.column], [3, 8]);
  const c = caught(() => copy({ f: new Fragile() }));
  assert.is(c.code, "class-failed");
  assert.is(c.path, "$.f");
  assert.match(c.message, "spec.Fragile");
});

test("bad-registration: invalid names, one name for two classes, built-in classes", () => {
  assert.is(caught(() => register(class A {}, { name: "has space", reduce: () => 0, rebuild: () => new (class {})() })).code, "bad-registration");
  assert.is(caught(() => register(class B {}, { name: "spec.Point", reduce: () => 0, rebuild: () => ({}) })).code, "bad-registration");
  assert.is(caught(() => register(Map, { name: "spec.MyMap", reduce: () => 0, rebuild: () => new Map() })).code, "bad-registration");
  assert.is(caught(() => registerValue({ name: "spec.Point", test: (v): v is number => v === 1, reduce: () => 0, rebuild: () => 1 })).code, "bad-registration");
  // The same class under the same name again (a module loaded twice) is fine.
  register(Point, { name: "spec.Point", reduce: (p: Point) => [p.x, p.y], rebuild: ([x, y]: number[]) => new Point(x!, y!) });
});

test("malformed: binary inputs, with the offset of the offending byte", () => {
  const cases: [Uint8Array, number][] = [
    [new Uint8Array([0x7b, 0x01]), 0], // not the magic byte
    [bytes(0xb4), 2], // an unassigned tag
    [bytes(0x01, 0x02), 3], // bytes after the value
    [bytes(0xb2, 0x05), 2], // a reference to nothing
    [bytes(0xb1, 0x01, 0x07, 0x01), 4], // a key used before it is defined
    [bytes(0xb0, 0x02, 0xa5, 0x05), 2], // holes past the end of the array
    [bytes(0xc2, 0x01, 0x85, 0x68, 0x65, 0x6c, 0x6c, 0x6f), 2], // Date("hello")
    [bytes(0xd2, 0x03, 0xc5, 0x01, 0x00, 0x01, 0x05), 2], // a Uint8Array past its buffer
    [bytes(0x82, 0xc3, 0x28), 2], // invalid UTF-8
    [bytes(0xad, 0x03, 0x01, 0x00, 0x00, 0x00), 2], // a list of numbers with element type 3
    [bytes(0xad, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), 2], // its length in more than 5 bytes
  ];
  for (const [input, offset] of cases) {
    const e = caught(() => decode(input));
    assert.is(e.code, "malformed", e.message);
    assert.is(e.offset, offset, e.message);
  }
});

test("malformed: text inputs, with line and column", () => {
  const cases: [string, number, number][] = [
    ["{}", 1, 1], // no header
    ['pack/1 {"a" 1}', 1, 13],
    ["pack/1\n[1,\n  2 3]", 3, 5],
    ['pack/1 {"a": 1} x', 1, 17],
    ["pack/1 *1", 1, 8],
    ["pack/1 &1 5", 1, 11],
    ['pack/1 Date("yesterday")', 1, 8],
    ["pack/1 Wat(1)", 1, 8],
    ['pack/1 "tab\there"', 1, 12],
    ["pack/1 [hole, holes(0)]", 1, 15],
    ['pack/1 Uint8Array["x"]', 1, 8],
  ];
  for (const [text, line, column] of cases) {
    const e = caught(() => loads(text));
    assert.is(e.code, "malformed", `${text}: ${e.message}`);
    assert.equal([e.line, e.column], [line, column], `${text}: ${e.message}`);
  }
});

test("truncated: binary and text inputs that stop mid-value", () => {
  const truncated = [
    new Uint8Array([]), new Uint8Array([0x70]), bytes(0xb0, 0x03, 0x01), bytes(0xac, 0, 0), bytes(0x85, 0x61),
    bytes(0xad), bytes(0xad, 0x02), bytes(0xad, 0x02, 0x80), // a list of numbers cut in its header
    bytes(0xad, 0x02, 0x03, 0x01, 0x00, 0x02), // cut inside its block: 3 int16 need 6 bytes
    bytes(0xad, 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00), // a length whose block (2^35 bytes) overruns the input
    bytes(0xad, 0x04, 0x81, 0x80, 0x80, 0x80, 0x08), // 2^31 + 1 int32: more than the input could hold
  ];
  for (const input of truncated) {
    const e = caught(() => decode(input));
    assert.is(e.code, "truncated");
    assert.is(e.offset, input.length, `${input}: ${e.message}`);
  }
  for (const text of ["pack", 'pack/1 {"a": [1, 2', 'pack/1 "abc', "pack/1 Map{1 =>"]) {
    const e = caught(() => loads(text));
    assert.is(e.code, "truncated", `${text}: ${e.message}`);
    assert.is(e.line, 1);
    assert.is(e.column, text.length + 1);
  }
});

test("unknown-version: both headers", () => {
  const b = caught(() => decode(new Uint8Array([0x70, 0x02, 0x01])));
  assert.is(b.code, "unknown-version");
  assert.is(b.offset, 1);
  const t = caught(() => loads("pack/2 {}"));
  assert.is(t.code, "unknown-version");
  assert.equal([t.line, t.column], [1, 6]);
});

test("unknown-class: a registered name this process does not know", () => {
  const name = [...new TextEncoder().encode("nope.Gone")];
  const b = caught(() => decode(bytes(0xc8, 0xf1, 0x80 | name.length, ...name, 0x01)));
  assert.is(b.code, "unknown-class");
  assert.is(b.offset, 2);
  const t = caught(() => loads("pack/1 [1, @nope.Gone {}]"));
  assert.is(t.code, "unknown-class");
  assert.equal([t.line, t.column], [1, 12]);
});

function nested(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

test("too-deep: maxDepth on decode, in both forms, and the default stops deep input", () => {
  const limits: DecodeLimits = { maxDepth: 10 };
  assert.is(caught(() => decode(encode(nested(11)), limits)).code, "too-deep");
  assert.is(caught(() => loads(dumps(nested(11)), limits)).code, "too-deep");
  assert.ok(decode(encode(nested(10)), limits));
  const deepText = "pack/1 " + "[".repeat(200_000);
  assert.is(caught(() => loads(deepText)).code, "too-deep");
  const deepBytes = new Uint8Array(2 + 400_000).fill(0x01);
  deepBytes.set([0x70, 0x01]);
  for (let i = 2; i < deepBytes.length; i += 2) deepBytes[i] = 0xb0;
  assert.is(caught(() => decode(deepBytes)).code, "too-deep");
});

test("too-deep: encoding a value nested past the default depth, named at its path", () => {
  for (const e of bothForms(nested(5_000))) {
    assert.is(e.code, "too-deep");
    assert.match(e.path!, /^\$(\[0\])+$/);
  }
});

test("a 1,500-node doubly linked list (nesting 1,500 deep) round-trips in both forms", () => {
  type Node = { value: number; prev: Node | null; next: Node | null };
  const head: Node = { value: 0, prev: null, next: null };
  let tail = head;
  for (let i = 1; i < 1_500; i++) tail = tail.next = { value: i, prev: tail, next: null };
  tail.next = head;
  head.prev = tail;
  for (const back of [decode(encode(head)), loads(dumps(head)), loads(dumps(head, { indent: 1 }))] as Node[]) {
    assert.is(back.prev!.next, back);
    assert.is(back.next!.prev, back);
    assert.is(back.prev!.value, 1_499);
  }
});

test("too-large: maxNodes and maxBytes", () => {
  const value = [1, 2, 3, 4, 5];
  assert.is(caught(() => decode(encode(value), { maxNodes: 5 })).code, "too-large");
  assert.is(caught(() => loads(dumps(value), { maxNodes: 5 })).code, "too-large");
  assert.is(caught(() => decode(encode(value), { maxBytes: 4 })).code, "too-large");
  assert.is(caught(() => loads(dumps(value), { maxBytes: 4 })).code, "too-large");
  assert.equal(decode(encode(value), { maxNodes: 6 }), value);
  // A list of numbers counts each of its items, as it would item by item.
  const list = [1, 2, 3, 4, 5, 6, 7, 8.5];
  assert.is(caught(() => decode(encode(list), { maxNodes: 8 })).code, "too-large");
  assert.equal(decode(encode(list), { maxNodes: 9 }), list);
  assert.is(caught(() => decode(encode([[list]]), { maxDepth: 2 })).code, "too-deep");
});

test("decoding never touches a prototype: __proto__, constructor and prototype are plain keys", () => {
  const text = 'pack/1 {"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}';
  for (const o of [loads(text), decode(encode(loads(text)))] as Record<string, unknown>[]) {
    assert.is(Object.getPrototypeOf(o), Object.prototype);
    assert.ok(Object.hasOwn(o, "__proto__"));
    assert.equal(Object.keys(o), ["__proto__", "constructor"]);
    assert.is(({} as Record<string, unknown>).polluted, undefined);
  }
});

test.run();
