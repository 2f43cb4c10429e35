// Fuzz properties for pack's readers: arbitrary input and mutations of valid encodings,
// in both forms. Only a PackError may escape, and every input must finish. The default
// suite runs them briefly (fuzz.spec.ts); `npm run fuzz:pack` runs them long.
import fc from "fast-check";
import { PackError, decode, dumps, encode, loads } from "../../pack/index.ts";
import { throwsOnly } from "../laws.ts";
import { numberList, packable } from "./arbitraries.ts";

type Mutation = { kind: "flip" | "insert" | "delete" | "truncate" | "set"; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("flip", "insert", "delete", "truncate", "set"),
  at: fc.nat(),
  value: fc.nat(255),
});

function mutateBytes(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = [...input];
  for (const { kind, at, value } of mutations) {
    const i = bytes.length === 0 ? 0 : at % bytes.length;
    if (kind === "flip") bytes[i] = (bytes[i] ?? 0) ^ (1 << (value % 8));
    else if (kind === "set") bytes[i] = value;
    else if (kind === "insert") bytes.splice(i, 0, value);
    else if (kind === "delete") bytes.splice(i, 1);
    else bytes = bytes.slice(0, i);
  }
  return new Uint8Array(bytes);
}

// Characters that matter to the text grammar, so mutations hit the parser's decisions.
const SIGNIFICANT = '{}[]()",:=>&*@-.0123456789nhole\\u \n';

function mutateText(input: string, mutations: Mutation[]): string {
  let text = input;
  for (const { kind, at, value } of mutations) {
    const i = text.length === 0 ? 0 : at % text.length;
    const c = value < 200 ? SIGNIFICANT[value % SIGNIFICANT.length]! : String.fromCharCode(value * 97);
    if (kind === "insert") text = text.slice(0, i) + c + text.slice(i);
    else if (kind === "delete") text = text.slice(0, i) + text.slice(i + 1);
    else if (kind === "truncate") text = text.slice(0, i);
    else text = text.slice(0, i) + c + text.slice(i + 1);
  }
  return text;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export function fuzzProperties(runs: number): [string, () => void][] {
  const options = { numRuns: runs };
  return [
    ["decode: arbitrary bytes after the header throw only PackError", () =>
      fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
        const input = new Uint8Array([0x70, 0x01, ...tail]);
        throwsOnly(PackError, () => decode(input), () => `on ${hex(input)}`);
      }), options)],
    ["decode: mutated valid encodings throw only PackError", () =>
      fc.assert(fc.property(packable, fc.array(mutation, { minLength: 1, maxLength: 4 }), (value, mutations) => {
        const input = mutateBytes(encode(value), mutations);
        throwsOnly(PackError, () => decode(input), () => `on ${hex(input)}`);
      }), options)],
    ["decode: mutated lists of numbers (the NUMBERS block) throw only PackError", () =>
      fc.assert(fc.property(numberList, fc.array(mutation, { minLength: 1, maxLength: 3 }), (list, mutations) => {
        const input = mutateBytes(encode({ list, again: list }), mutations);
        throwsOnly(PackError, () => decode(input), () => `on ${hex(input)}`);
      }), options)],
    ["loads: arbitrary text after the header throws only PackError", () =>
      fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...SIGNIFICANT, "a", "N", "M", "S", "D") }), (tail) => {
        const input = `pack/1 ${tail}`;
        throwsOnly(PackError, () => loads(input), () => `on ${JSON.stringify(input)}`);
      }), options)],
    ["loads: mutated valid texts throw only PackError", () =>
      fc.assert(fc.property(packable, fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (value, pretty, mutations) => {
        const input = mutateText(dumps(value, pretty ? { indent: 2 } : undefined), mutations);
        throwsOnly(PackError, () => loads(input), () => `on ${JSON.stringify(input)}`);
      }), options)],
  ];
}
