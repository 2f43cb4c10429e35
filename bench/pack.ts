// pack against JSON, v8.serialize and the peers (devalue, superjson, seroval, msgpackr)
// on three payloads: a snapshot-like frame, 10,000 small records, a cyclic linked list (and
// a typical small frame). Prints median ops/s for encode and decode, the size, whether the
// round trip is lossless, and how many times faster pack's round trip is than each (> 1:
// pack is faster); then copy() against structuredClone and v8's serialize/deserialize.
import * as v8 from "node:v8";
import * as devalue from "devalue";
import { pack as msgpack, unpack as msgunpack } from "msgpackr";
import * as seroval from "seroval";
import superjson from "superjson";
import { copy, decode, dumps, encode, loads } from "../pack/index.ts";
import { difference } from "../spec/laws.ts";

interface Contender {
  name: string;
  encode(value: unknown): string | Uint8Array;
  decode(encoded: never): unknown;
}

const contenders: Contender[] = [
  { name: "pack binary", encode, decode },
  { name: "pack text", encode: (v) => dumps(v), decode: loads },
  { name: "v8.serialize", encode: (v) => v8.serialize(v), decode: (b: Buffer) => v8.deserialize(b) },
  { name: "JSON", encode: (v) => JSON.stringify(v), decode: (s: string) => JSON.parse(s) },
  { name: "msgpackr", encode: (v) => msgpack(v), decode: (b: Buffer) => msgunpack(b) },
  { name: "devalue", encode: (v) => devalue.stringify(v), decode: (s: string) => devalue.parse(s) },
  { name: "superjson", encode: (v) => superjson.stringify(v), decode: (s: string) => superjson.parse(s) },
  { name: "seroval", encode: (v) => seroval.serialize(v), decode: (s: string) => seroval.deserialize(s) },
];

function snapshot(): unknown {
  const customer = { id: "c-17", name: "Ada Lovelace", email: "ada@example.com", since: new Date(Date.UTC(2020, 4, 1)) };
  const locals: Record<string, unknown> = {};
  for (let i = 0; i < 50; i++) {
    switch (i % 10) {
      case 0: locals[`samples${i}`] = Array.from({ length: 1000 }, (_, k) => (k * 7919) % 1000); break;
      case 1: locals[`prices${i}`] = Array.from({ length: 1000 }, (_, k) => k * 0.37 + 0.01); break;
      case 2: locals[`order${i}`] = { id: i, customer, lines: [{ sku: `A-${i}`, qty: 2, price: 9.99 }, { sku: `B-${i}`, qty: 1, price: 0.5 }], placed: new Date(1_700_000_000_000 + i) }; break;
      case 3: locals[`note${i}`] = `step ${i}: waiting for the payment provider to confirm the charge`; break;
      case 4: locals[`index${i}`] = new Map(Array.from({ length: 100 }, (_, k) => [`key-${k}`, { rank: k, label: `entry ${k}` }])); break;
      case 5: locals[`deadline${i}`] = new Date(1_700_000_000_000 + i * 1000); break;
      case 6: locals[`config${i}`] = { retries: 3, backoff: { base: 100, factor: 2, max: 10_000 }, tags: ["a", "b", "c"], enabled: true }; break;
      case 7: locals[`customer${i}`] = customer; break;
      default: locals[`count${i}`] = i * 1000 + 0.5;
    }
  }
  return { workflow: { module: "shop/checkout.ts", name: "checkout", hash: "9f2c1e" }, resumePoint: "await#3:charge", locals };
}

/** What the runtime copies on each resume: a frame of 50 small locals, its temps and completions. */
function frame(): unknown {
  const user = { id: "u-42", name: "Grace Hopper", roles: ["admin", "ops"] };
  const locals: Record<string, unknown> = {};
  for (let i = 0; i < 50; i++) {
    switch (i % 5) {
      case 0: locals[`count${i}`] = i * 3; break;
      case 1: locals[`label${i}`] = `step ${i} of the checkout`; break;
      case 2: locals[`item${i}`] = { id: i, user, ok: i % 2 === 0 }; break;
      case 3: locals[`pair${i}`] = [i, i + 0.5, `x${i}`]; break;
      default: locals[`when${i}`] = i % 10 === 4 ? new Date(1_700_000_000_000 + i) : null;
    }
  }
  return { locals, temps: [locals.item2, 7, "pending"], completions: { 3: { kind: "ok", value: 12 } } };
}

function records(): unknown {
  return Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `user ${i}`, tags: [`t${i % 7}`, `g${i % 13}`], score: (i * 37) % 1000 / 10 }));
}

function linkedList(): unknown {
  type Node = { value: number; prev: Node | null; next: Node | null };
  const head: Node = { value: 0, prev: null, next: null };
  let tail = head;
  for (let i = 1; i < 1000; i++) tail = tail.next = { value: i, prev: tail, next: null };
  tail.next = head;
  head.prev = tail;
  return head;
}

/** Operations per second of one run of `run` lasting about 40 ms. */
function round(run: () => void): number {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    run();
    n++;
    elapsed = performance.now() - start;
  } while (elapsed < 40);
  return (n * 1000) / elapsed;
}

interface Row { name: string; enc: number; dec: number; bytes: number; lossless: boolean }

const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Rounds are interleaved (every contender once per round) so that a noisy machine slows
 * all of them alike; each figure is the median of 7 rounds.
 */
function measureAll(value: unknown): { rows: Row[]; skipped: string[] } {
  const ready: { contender: Contender; encoded: string | Uint8Array; lossless: boolean; enc: number[]; dec: number[] }[] = [];
  const skipped: string[] = [];
  for (const contender of contenders) {
    try {
      const encoded = contender.encode(value);
      const lossless = difference(value, contender.decode(encoded as never)) === undefined;
      for (let i = 0; i < 10; i++) contender.decode(contender.encode(value) as never);
      ready.push({ contender, encoded, lossless, enc: [], dec: [] });
    } catch (error) {
      skipped.push(`${contender.name}: cannot (${String(error).split("\n")[0]!.slice(0, 60)})`);
    }
  }
  for (let r = 0; r < 7; r++) {
    for (const c of ready) {
      c.enc.push(round(() => c.contender.encode(value)));
      c.dec.push(round(() => c.contender.decode(c.encoded as never)));
    }
  }
  const rows = ready.map((c): Row => ({
    name: c.contender.name, enc: median(c.enc), dec: median(c.dec), lossless: c.lossless,
    bytes: typeof c.encoded === "string" ? Buffer.byteLength(c.encoded) : c.encoded.byteLength,
  }));
  return { rows, skipped };
}

interface Copier { name: string; copy(value: unknown): unknown }

const copiers: Copier[] = [
  { name: "pack copy", copy },
  { name: "pack decode(encode)", copy: (v) => decode(encode(v)) },
  { name: "structuredClone", copy: (v) => structuredClone(v) },
  { name: "v8 deserialize(serialize)", copy: (v) => v8.deserialize(v8.serialize(v)) },
];

/** copy() against the engine's deep copies, interleaved and 7 rounds as above: median ops/s. */
function measureCopies(value: unknown): { name: string; ops: number; lossless: boolean }[] {
  const ready = copiers.map((c) => {
    const lossless = difference(value, c.copy(value)) === undefined;
    for (let i = 0; i < 10; i++) c.copy(value);
    return { c, lossless, ops: [] as number[] };
  });
  for (let r = 0; r < 7; r++) for (const x of ready) x.ops.push(round(() => x.c.copy(value)));
  return ready.map((x) => ({ name: x.c.name, ops: median(x.ops), lossless: x.lossless }));
}

function printTable(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  for (const line of [header, ...lines]) console.log(line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "));
}

const roundTripMicros = (row: Row) => 1e6 / row.enc + 1e6 / row.dec;
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1));

const allPayloads: [string, () => unknown][] = [
  ["(a) snapshot-like frame: 50 locals", snapshot],
  ["(b) 10,000 records {id, name, tags, score}", records],
  ["(c) cyclic doubly linked list, 1,000 nodes", linkedList],
  ["(d) a typical frame: 50 small locals, temps, completions", frame],
];

// PACK_PAYLOAD=b runs one payload only (the runner starts one process per payload).
const only = process.env.PACK_PAYLOAD;
const payloads = allPayloads.filter(([title]) => !only || title.startsWith(`(${only})`));

for (const [title, make] of payloads) {
  const value = make();
  const { rows, skipped } = measureAll(value);
  const packBinary = rows.find((r) => r.name === "pack binary")!;
  const packText = rows.find((r) => r.name === "pack text")!;
  console.log(`\n${title}`);
  const header = ["", "encode ops/s", "decode ops/s", "enc+dec µs", "bytes", "lossless", "pack-bin ×", "pack-text ×"];
  const lines = rows.map((r) => [
    r.name, fmt(r.enc), fmt(r.dec), fmt(roundTripMicros(r)), r.bytes.toLocaleString("en-US"), r.lossless ? "yes" : "NO",
    (roundTripMicros(r) / roundTripMicros(packBinary)).toFixed(2), (roundTripMicros(r) / roundTripMicros(packText)).toFixed(2),
  ]);
  printTable(header, lines);
  for (const s of skipped) console.log(`  ${s}`);
  const copies = measureCopies(value);
  const packCopy = copies.find((c) => c.name === "pack copy")!;
  console.log("");
  printTable(["deep copy", "ops/s", "µs", "lossless", "pack-copy ×"], copies.map((c) => [
    c.name, fmt(c.ops), fmt(1e6 / c.ops), c.lossless ? "yes" : "NO", (packCopy.ops / c.ops).toFixed(2),
  ]));
}
console.log("\n× = that row's enc+dec (or copy) time / pack's: above 1, pack is faster.");
