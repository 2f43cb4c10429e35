// The `otf` command through its launcher, as a user runs it: run, runs, trace, inspect and resume,
// `--json` for scripts, plain text without a terminal, and exit codes that say what went wrong.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = join(import.meta.dirname, "../..");
const store = mkdtempSync(join(tmpdir(), "otf-cli-"));

function otf(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, "scheduler/bin.js"), "--store", store, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "" } });
  return { code: result.status!, stdout: result.stdout, stderr: result.stderr };
}

let runId = "";

test("otf run prints the result, progress goes to stderr as plain lines, exit 0", () => {
  const { code, stdout, stderr } = otf("run", "examples/primes.ts", "getPrimes", "[7,8,9,11]");
  assert.is(code, 0, stderr);
  assert.match(stdout, /^completed run (\S+) \(4 checkpoints\)\n\[11, 7\]\n$/);
  runId = /run (\S+)/.exec(stdout)![1]!;
  assert.match(stderr, /progress: 4\/4 tasks done · \d+ checkpoints/);
  assert.not.match(stdout + stderr, /\x1b\[/, "no colours without a terminal");
});

test("otf run --json gives the outcome as JSON", () => {
  const { code, stdout } = otf("--json", "run", "examples/primes.ts", "getPrimes", "[2,4]");
  assert.is(code, 0);
  const parsed = JSON.parse(stdout);
  assert.equal([parsed.status, parsed.value, parsed.checkpoints], ["completed", [2], 2]);
});

test("otf runs lists runs, and --json gives their summaries", () => {
  assert.match(otf("runs").stdout, new RegExp(`${runId}  completed\\s+4 checkpoints  examples/primes.ts#getPrimes`));
  const runs = JSON.parse(otf("--json", "runs").stdout) as Array<{ id: string; status: string }>;
  assert.ok(runs.some((r) => r.id === runId && r.status === "completed"));
});

test("otf trace shows each checkpoint's source with the await marked, its locals, what it awaited, then the result", () => {
  const { code, stdout } = otf("trace", runId);
  assert.is(code, 0);
  assert.match(stdout, /checkpoint 2 .*line 20/);
  assert.match(stdout, />\s+20 │     const ok = await futures.pop\(\)!;/);
  assert.match(stdout, /primes = \[11\]/);
  assert.match(stdout, /awaited isPrime\(8\) → false/);
  assert.match(stdout, /result \[11, 7\]\n$/);
  const json = JSON.parse(otf("--json", "trace", runId).stdout);
  assert.is(json.checkpoints.length, 4);
  assert.equal(json.checkpoints[2].locals.primes, [11]);
  assert.equal(json.finish.outcome.value, [11, 7]);
});

test("otf inspect reads one checkpoint file", () => {
  const { code, stdout } = otf("inspect", join(store, "runs", runId, "checkpoints", "000001.pack"));
  assert.is(code, 0);
  assert.match(stdout, /^checkpoint 1 of run /);
  assert.match(stdout, /examples\/primes.ts#getPrimes line 20/);
  assert.match(stdout, /@otf\.Suspension \{/);
});

test("otf resume goes on with an interrupted run and gives the same result", () => {
  const run = otf("run", "examples/primes.ts", "getPrimes", "[5,6,7,8,9,10,11]");
  const id = /run (\S+)/.exec(run.stdout)![1]!;
  const dir = join(store, "runs", id);
  // What a crash after checkpoint 2 leaves: no later checkpoints, no result.
  unlinkSync(join(dir, "finish.pack"));
  for (const name of readdirSync(join(dir, "checkpoints"))) if (Number(name.slice(0, 6)) > 2) unlinkSync(join(dir, "checkpoints", name));
  assert.match(otf("runs").stdout, new RegExp(`${id}  unfinished`));
  const { code, stdout } = otf("resume", id);
  assert.is(code, 0);
  assert.match(stdout, new RegExp(`completed run ${id} \\(\\d checkpoints\\)\\n\\[11, 7, 5\\]`));
  const fork = otf("resume", id, "--from", "1");
  assert.is(fork.code, 0);
  assert.not.match(fork.stdout, new RegExp(id));
});

test("exit codes: 1 workflow failed, 2 usage, 3 store, 4 cannot load", () => {
  assert.is(otf("run", "spec/scheduler/fixtures/workflows.ts", "failing", '"acme"').code, 1);
  assert.match(otf("run", "spec/scheduler/fixtures/workflows.ts", "failing", '"acme"').stdout, /^failed run .*\nLedgerError: cannot settle acme/);
  assert.is(otf("run", "examples/primes.ts", "nope").code, 2);
  assert.is(otf("run", "examples/primes.ts", "getPrimes", "not json").code, 2);
  assert.is(otf("frobnicate").code, 2);
  const missing = otf("trace", "no-such-run");
  assert.is(missing.code, 3);
  assert.match(missing.stderr, /no-such-run\/run\.pack: no run record here/);
  assert.is(otf("run", "examples/no-such-file.ts", "x").code, 4);
});

test.after(() => rmSync(store, { recursive: true, force: true }));
test.run();
