// Golden files pin both formats: for every sample of the codec table (and a snapshot-like
// value) the text in spec/golden/pack/<name>.txt and the bytes in <name>.bin.hex must be
// what today's code writes, and must load back. Regenerate with UPDATE_GOLDEN=1.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decode, dumps, encode, loads } from "../../pack/index.ts";
import { CODECS } from "../../pack/codecs.ts";
import { assertIsomorphic } from "../laws.ts";
import { NUMBER_LISTS, SAMPLES, snapshot } from "./samples.ts";

const dir = join(import.meta.dirname, "../golden/pack");
const update = process.env.UPDATE_GOLDEN === "1";

const cases: [string, unknown][] = [["snapshot", snapshot()]];
for (const [name, values] of Object.entries(SAMPLES)) {
  values.forEach((value, i) => cases.push([`${name === "@" ? "registered" : name}-${i + 1}`, value]));
}
for (const [name, value] of Object.entries(NUMBER_LISTS)) cases.push([`numbers-${name}`, value]);

function golden(file: string, actual: string): string {
  const path = join(dir, file);
  if (update) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1 to write it`);
  return readFileSync(path, "utf8");
}

test("every entry of the codec table has a sample", () => {
  for (const codec of CODECS) assert.ok(SAMPLES[codec.name]?.length, `codec ${codec.name} (tag 0x${codec.tag.toString(16)}) has no sample in spec/pack/samples.ts`);
});

test("arrays of numbers take the NUMBERS block (0xad) with the narrowest element type, from 8 items", () => {
  const blockOf = (value: unknown) => [...encode(value).subarray(2, 4)];
  assert.equal(blockOf(NUMBER_LISTS.int8), [0xad, 1]);
  assert.equal(blockOf(NUMBER_LISTS.int16), [0xad, 2]);
  assert.equal(blockOf(NUMBER_LISTS.int32), [0xad, 4]);
  assert.equal(blockOf(NUMBER_LISTS.float64), [0xad, 8]);
  assert.equal(blockOf(NUMBER_LISTS.short), [0xb0, 7]);
  assert.equal(blockOf([1, 2, 3, 4, 5, 6, 7, , 9]), [0xb0, 9]); // a hole: item by item
  assert.equal(blockOf([1, 2, 3, 4, 5, 6, 7, "8"]), [0xb0, 8]);
});

for (const [name, value] of cases) {
  test(`${name}: the text form matches its golden file and loads back`, () => {
    const text = golden(`${name}.txt`, dumps(value, { indent: 2 }) + "\n");
    assert.fixture(dumps(value, { indent: 2 }) + "\n", text);
    assertIsomorphic(loads(text), value, name);
  });
  test(`${name}: the binary form matches its golden file and decodes back`, () => {
    const hex = golden(`${name}.bin.hex`, Buffer.from(encode(value)).toString("hex") + "\n");
    assert.is(Buffer.from(encode(value)).toString("hex") + "\n", hex);
    assertIsomorphic(decode(Buffer.from(hex.trim(), "hex")), value, name);
  });
}

test.run();
