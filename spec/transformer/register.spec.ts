// `node --import otf/register app.ts`: workflows compile at import time, alone on Node 24 or
// together with tsx; errors map to the .ts lines; a diagnostic fails the import with its position.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = join(import.meta.dirname, "../..");
const app = join(root, "spec/fixtures/loader/app.ts");

function run(imports: string[], file: string) {
  const args = ["--conditions=otf-source", ...imports.flatMap((i) => ["--import", i]), file];
  return spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
}

for (const [name, imports] of [
  ["alone", ["./transformer/register.ts"]],
  ["together with tsx", ["tsx", "./transformer/register.ts"]],
] as const) {
  test(`the hook compiles workflows at import time, ${name}`, () => {
    const result = run([...imports], app);
    assert.is(result.status, 0, result.stderr);
    const [first, second] = result.stdout.trim().split("\n");
    assert.is(first, "got 2 true suspended");
    assert.match(second!, /^Error: too big: 21 \| +at .*spec\/fixtures\/loader\/app\.ts:13:\d+/);
  });
}

test("a module with a construct the transformer refuses fails to import, naming file, line, column and code", () => {
  const result = run(["./transformer/register.ts"], join(root, "spec/fixtures/loader/rejected.ts"));
  assert.is.not(result.status, 0);
  assert.match(result.stderr, /WorkflowCompileError: .*spec\/fixtures\/loader\/rejected\.ts\(4,3\): error OTF1002: `with` in a workflow/);
});

test.run();
