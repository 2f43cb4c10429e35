// The program generator on its own, before any compiled run: every program it makes parses,
// runs natively to the end without a scoping mistake (a reference into a dead zone, an
// undeclared name), and over many samples it makes every construct the property is meant to cover.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { programs } from "./generator.ts";
import { allConstructs, printProgram } from "./printer.ts";
import { transpileNative } from "./native.ts";

const seed = 20_251_126;

/** A stand-in for otf's runtime, so the generator is tested without it: futures are plain thenables. */
const runtimeStandIn = encodeURIComponent(`
  export const workflow = (fn) => fn;
  export const task = (fn) => fn;
  export const defer = (t, ...args) => ({ then: (onValue, onError) => new Promise((r) => r(t(...args))).then(onValue, onError) });
`);

async function runNatively(source: string): Promise<unknown> {
  const code = transpileNative(source).replace(`from "otf"`, `from "data:text/javascript,${runtimeStandIn}"`);
  const module = await import(`data:text/javascript,${encodeURIComponent(code)}`);
  try {
    return await module.main(module.input);
  } catch (error) {
    return { escaped: String(error) };
  }
}

test("every generated program parses as TypeScript with no diagnostics", () => {
  for (const program of fc.sample(programs(), { numRuns: 300, seed })) transpileNative(printProgram(program).source);
});

test("generated programs run natively to the end and never make a scoping or type error", async () => {
  for (const program of fc.sample(programs(), { numRuns: 300, seed: seed + 1 })) {
    const { source } = printProgram(program);
    const result = await runNatively(source);
    const text = JSON.stringify(result);
    assert.ok(!/(ReferenceError|TypeError|SyntaxError|RangeError)/.test(text), `the program ends with an engine error:\n${source}\n${text}`);
  }
});

test("over 1000 programs the generator makes every construct", () => {
  const seen = new Map<string, number>();
  for (const program of fc.sample(programs(), { numRuns: 1000, seed: seed + 2 })) {
    for (const construct of printProgram(program).constructs) seen.set(construct, (seen.get(construct) ?? 0) + 1);
  }
  const missing = allConstructs.filter((c) => !seen.has(c));
  assert.equal(missing, [], `constructs never generated: ${missing.join(", ")}`);
  const unlisted = [...seen.keys()].filter((c) => !allConstructs.includes(c));
  assert.equal(unlisted, [], `constructs recorded but not listed in allConstructs: ${unlisted.join(", ")}`);
});

test.run();
