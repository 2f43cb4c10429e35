// The tspc path: the plugin from tsconfig.json compiles workflows in a real build, with the
// type checker; its diagnostics fail the build, and source maps name the .ts lines.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = join(import.meta.dirname, "../..");
const tsc = join(root, "node_modules/typescript/bin/tsc");
const tspc = join(root, "node_modules/ts-patch/bin/tspc.js");

function build(project: string, compiler = tspc) {
  return spawnSync(process.execPath, [compiler, "--pretty", "false", "-p", join(root, "spec/fixtures", project)], { encoding: "utf8" });
}

test.before(() => {
  // The plugin is loaded from the built package, as a user's tsconfig loads it.
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.json")], { stdio: "inherit" });
});

test("tspc compiles a workflow that then runs, resumes and maps errors to its .ts line", async () => {
  const result = build("tspc-project");
  assert.is(result.status, 0, result.stdout + result.stderr);
  const url = pathToFileURL(join(root, "spec/fixtures/tspc-project/dist/flow.js")).href;
  const { flow } = (await import(url)) as { flow: { (xs: number[]): Promise<number>; compiled: boolean; start(xs: number[]): { kind: string } } };
  assert.ok(flow.compiled, "the plugin left the workflow uncompiled");
  assert.is(await flow([1, 2, 3]), 12);
  assert.is(flow.start([1]).kind, "suspended");
  process.setSourceMapsEnabled(true);
  const error = await flow([100]).then(() => undefined, (e: Error) => e);
  assert.instance(error, Error);
  assert.match(error!.stack!, /src[\\/]flow\.ts:8:\d+/);
});

test("tspc compiles a function declaration tagged /** @workflow */ (tsc parses few doc comments in .ts files)", async () => {
  const result = build("tspc-project");
  assert.is(result.status, 0, result.stdout + result.stderr);
  const url = pathToFileURL(join(root, "spec/fixtures/tspc-project/dist/tagged.js")).href;
  const { tripled } = (await import(url)) as { tripled: { (xs: number[]): Promise<number>; compiled?: boolean; start?(xs: number[]): { kind: string } } };
  assert.ok(tripled.compiled, "the tagged function was left a plain async function");
  assert.is(await tripled([1, 2, 3]), 18);
  assert.is(tripled.start!([1]).kind, "suspended");
});

test("tspc fails the build on a diagnostic, printed with file, line, column and code", () => {
  const result = build("tspc-rejected");
  assert.is.not(result.status, 0);
  assert.match(result.stdout, /src[\\/]iterator\.ts\(6,9\): error TS91008: OTF1008: an iterator or generator is live across an await: `it` is ArrayIterator<number>/);
});

test("a tsc patched by `ts-patch install` runs the plugin as tspc does: same output, same diagnostics", () => {
  const output = join(root, "spec/fixtures/tspc-project/dist/flow.js");
  assert.is(build("tspc-project").status, 0);
  const byTspc = readFileSync(output, "utf8");
  const copy = join(root, "spec/.tmp/tspc-persistent/node_modules/typescript");
  rmSync(copy, { recursive: true, force: true });
  cpSync(join(root, "node_modules/typescript"), copy, { recursive: true });
  execFileSync(process.execPath, [join(root, "node_modules/ts-patch/bin/ts-patch.js"), "install", "--silent", "--dir", copy]);
  const patchedTsc = join(copy, "bin/tsc");
  const result = build("tspc-project", patchedTsc);
  assert.is(result.status, 0, result.stdout + result.stderr);
  assert.is(readFileSync(output, "utf8"), byTspc);
  const rejected = build("tspc-rejected", patchedTsc);
  assert.is.not(rejected.status, 0);
  assert.match(rejected.stdout, /src[\\/]iterator\.ts\(6,9\): error TS91008: OTF1008: /);
  rmSync(join(root, "spec/.tmp/tspc-persistent"), { recursive: true, force: true });
});

test.run();
