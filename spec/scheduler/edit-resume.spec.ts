// Fix the code, resume from the middle, through the `otf` command as a user does it: a run of
// examples/invoice.ts (a copy, edited here) fails; after the fix `otf resume --from N` shows the
// plan and goes on only with --yes; a plan with problems runs nothing and changes nothing stored.
// A checkpoint edited by hand resumes; one that no longer parses is named with line and column.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = join(import.meta.dirname, "../..");
const store = mkdtempSync(join(tmpdir(), "otf-edit-"));
// Inside the repository, so that the copy's `import "otf"` resolves to this package.
const work = join(root, "spec/.tmp", `edit-resume-cli-${process.pid}`);
mkdirSync(work, { recursive: true });
const module = join(work, "invoice.ts");
copyFileSync(join(root, "examples/invoice.ts"), module);
const original = readFileSync(module, "utf8");

function otf(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, "scheduler/bin.js"), "--store", store, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "" } });
  return { code: result.status!, stdout: result.stdout, stderr: result.stderr };
}

/** Every file of the store and its text: what "nothing stored changed" compares. */
function stored(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(store, { recursive: true, encoding: "utf8" }).sort()) {
    try {
      files.set(name, readFileSync(join(store, name), "utf8"));
    } catch {
      files.set(name, "(directory)");
    }
  }
  return files;
}

function edit(from: string, to: string, text = readFileSync(module, "utf8")): void {
  assert.ok(text.includes(from), `the module holds ${from}`);
  writeFileSync(module, text.replace(from, to));
}

const awaitLine = "    const each = await defer(price, item);\n";
const fix = `${awaitLine}    if (each === undefined) {
      lines.push(\`\${item} (no longer sold)\`);
      continue;
    }
`;
let runId = "";

test("the run fails after its third await, on an item no longer sold", () => {
  const { code, stdout } = otf("run", module, "invoice", '"ada"', '["apple","bread","kiwi","milk"]');
  assert.is(code, 1);
  assert.match(stdout, /^failed run \S+ \(3 checkpoints\)\nTypeError: Cannot read properties of undefined \(reading 'toFixed'\)/);
  runId = /run (\S+)/.exec(stdout)![1]!;
  assert.match(otf("trace", runId).stdout, /checkpoint 2 .*line 18[^]*item = "kiwi"[^]*awaited price\("kiwi"\) → undefined/);
});

test("after the fix, --dry-run prints the plan: same await and line, locals carried; nothing runs", () => {
  edit(awaitLine, fix);
  const before = stored();
  const { code, stdout } = otf("resume", runId, "--from", "2", "--dry-run");
  assert.is(code, 0);
  assert.match(stdout, new RegExp(`^checkpoint 2 of run ${runId}: the workflow's code changed \\(hash \\w+ → \\w+\\)\\n`));
  assert.match(stdout, /from line 18: const each = await defer\(price, item\);\s+\[defer\(price, item\)\]\n\s+to   line 18: const each = await defer\(price, item\);/);
  // `each` is declared by the await itself and `items` was read once, when the loop began (the
  // loop walks the array it holds in its temps): neither is read after the await, so both are dropped.
  assert.match(stdout, /locals carried: customer, lines, cents, item\n\s+locals dropped: items, each\n/);
  assert.not.match(stdout, /problem/);
  assert.equal(stored(), before);
});

test("without --yes the plan is shown, nothing runs and nothing stored changes (exit 5)", () => {
  const before = stored();
  const { code, stdout, stderr } = otf("resume", runId, "--from", "2");
  assert.is(code, 5);
  assert.match(stdout, /from line 18/);
  assert.match(stderr, /changed since checkpoint 2; nothing was run\. .*--yes/);
  assert.equal(stored(), before);
});

test("the API refuses too: resume(run, { from }) on changed code without a plan, before writing anything", () => {
  const before = stored();
  const script = `
    import { Scheduler } from "otf/scheduler";
    const scheduler = new Scheduler({ store: ${JSON.stringify(store)} });
    const plan = await scheduler.planResume(${JSON.stringify(runId)}, { from: 2 });
    const refusal = await scheduler.resume(${JSON.stringify(runId)}, { from: 2 }).catch((e) => e);
    const wrongPlan = await scheduler.resume(${JSON.stringify(runId)}, { from: 2, plan: { ...plan, carried: [] } }).catch((e) => e);
    await scheduler.close();
    console.log(JSON.stringify({ to: plan.to.line, problems: plan.problems, refusal: refusal.code, wrongPlan: wrongPlan.code }));`;
  writeFileSync(join(work, "api.mjs"), script);
  const result = spawnSync(process.execPath, ["--conditions=otf-source", "--import", join(root, "transformer/register.ts"), join(work, "api.mjs")], { cwd: root, encoding: "utf8" });
  assert.is(result.status, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout), { to: 18, problems: [], refusal: "code-changed", wrongPlan: "plan-mismatch" });
  assert.equal(stored(), before);
});

test("with --yes a new run goes on from checkpoint 2 on the fixed code and completes", () => {
  const { code, stdout, stderr } = otf("--json", "resume", runId, "--from", "2", "--yes");
  assert.is(code, 0, stderr);
  const result = JSON.parse(stdout);
  assert.is(result.status, "completed");
  assert.equal(result.value, { receipt: "ada-385", lines: ["apple 0.50", "bread 2.25", "kiwi (no longer sold)", "milk 1.10"], total: 3.85 });
  assert.is(result.plan.to.resumePoint, "defer(price, item)");
  assert.is.not(result.runId, runId);
  assert.match(otf("runs").stdout, new RegExp(`${runId}  failed`), "the failed run is kept as it was");
});

test("a removed await: the plan lists the candidate resume points, and --yes runs nothing (exit 4)", () => {
  edit(awaitLine, "    const each = 1;\n");
  const before = stored();
  const dry = otf("resume", runId, "--from", "2", "--dry-run");
  assert.is(dry.code, 4);
  assert.match(dry.stdout, /to   \(no matching await\)\n/);
  assert.match(dry.stdout, /problem: the await `defer\(price, item\)` \(line 18\) no longer exists in .*invoice\.ts#invoice\n/);
  assert.match(dry.stdout, /resume points in the code loaded now:\n\s+line \d+: const receipt = await defer\(charge, customer, cents\);\s+\[defer\(charge, customer, cents\)\]/);
  const refused = otf("resume", runId, "--from", "2", "--yes");
  assert.is(refused.code, 4);
  assert.match(refused.stderr, /cannot resume run .* nothing was run or stored/);
  assert.equal(stored(), before);
});

const checkpointFile = () => join(store, "runs", runId, "checkpoints", "000001.pack");

test("a checkpoint edited by hand (a local changed) resumes on the unchanged code", () => {
  writeFileSync(module, original);
  const text = readFileSync(checkpointFile(), "utf8");
  assert.match(text, /"items": &1 \["apple", "bread", "kiwi", "milk"\]/);
  writeFileSync(checkpointFile(), text.replace('"kiwi"', '"cheese"'));
  const dry = otf("resume", runId, "--from", "1", "--dry-run");
  assert.is(dry.code, 0);
  assert.match(dry.stdout, /the workflow's code is unchanged/);
  const { code, stdout, stderr } = otf("--json", "resume", runId, "--from", "1");
  assert.is(code, 0, stderr);
  assert.equal(JSON.parse(stdout).value, { receipt: "ada-1165", lines: ["apple 0.50", "bread 2.25", "cheese 7.80", "milk 1.10"], total: 11.65 });
});

test("a checkpoint edited by hand without a local its code reads is refused with the plan", () => {
  const text = readFileSync(checkpointFile(), "utf8");
  writeFileSync(checkpointFile(), text.replace(/\n\s+"lines": \["apple 0.50"\],/, ""));
  const before = stored();
  const { code, stdout, stderr } = otf("resume", runId, "--from", "1");
  assert.is(code, 4, stdout + stderr);
  assert.match(stdout, /locals missing: lines\n\s+problem: the new code reads `lines` after this await/);
  assert.equal(stored(), before);
  writeFileSync(checkpointFile(), text);
});

test("a checkpoint that no longer parses is named with file, line and column (exit 3)", () => {
  const text = readFileSync(checkpointFile(), "utf8");
  const line = text.split("\n").findIndex((l) => l.includes('"cents"')) + 1;
  writeFileSync(checkpointFile(), text.replace('"cents": 50,', '"cents": 50'));
  const before = stored();
  for (const args of [["--dry-run"], ["--yes"]]) {
    const { code, stderr } = otf("resume", runId, "--from", "1", ...args);
    assert.is(code, 3);
    assert.match(stderr, new RegExp(`checkpoints/000001\\.pack:${line + 1}:\\d+: this is not a readable checkpoint: expected "," or "}"`));
  }
  assert.equal(stored(), before);
});

test.after(() => {
  rmSync(store, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});
test.run();
