// The tspc path: the plugin from tsconfig.json compiles workflows in a real build, with the
// type checker; its diagnostics fail the build, and source maps name the .ts lines.
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = join(import.meta.dirname, "../..");
const tsc = join(root, "node_modules/typescript/bin/tsc");
const tspc = join(root, "node_modules/ts-patch/bin/tspc.js");

function build(project: string) {
  return spawnSync(process.execPath, [tspc, "--pretty", "false", "-p", join(root, "spec/fixtures", project)], { encoding: "utf8" });
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

test("tspc fails the build on a diagnostic, printed with file, line, column and code", () => {
  const result = build("tspc-rejected");
  assert.is.not(result.status, 0);
  assert.match(result.stdout, /src[\\/]iterator\.ts\(6,9\): error TS91008: OTF1008: an iterator or generator is live across an await: `it` is ArrayIterator<number>/);
});

test.run();
