// The directory store: readable pack text files, atomic writes, and corrupt or truncated files
// reported by name and problem while every other file stays as it was.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loads } from "otf/pack";
import { DirectoryStore, Scheduler, StoreError } from "otf/scheduler";
import { getPrimes } from "../../examples/primes.ts";

const dir = mkdtempSync(join(tmpdir(), "otf-store-"));
const root = join(dir, "store");
const scheduler = new Scheduler({ store: root });

/** Every file under a run directory with its bytes, to show that nothing else changed. */
function snapshot(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(directory, { recursive: true }) as string[]) {
    const path = join(directory, name);
    if (statSync(path).isFile()) files.set(name, readFileSync(path, "utf8"));
  }
  return files;
}

async function rejects(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, StoreError);
    return error as StoreError;
  }
  throw new assert.Assertion({ message: "expected a StoreError", generated: false, operator: "rejects", expects: "StoreError", actual: "no error" });
}

test("a run's files are pack text a person can read, with no temporary files left", async () => {
  const trace = await scheduler.run(getPrimes, [7, 8, 9, 11]);
  const runDir = join(root, "runs", trace.runId);
  assert.equal(readdirSync(runDir).sort(), ["checkpoints", "finish.pack", "results", "run.pack"]);
  assert.equal(readdirSync(join(runDir, "checkpoints")), ["000000.pack", "000001.pack", "000002.pack", "000003.pack"]);
  const text = readFileSync(join(runDir, "checkpoints", "000002.pack"), "utf8");
  assert.match(text, /"resumePoint": "futures.pop\(\)!"/);
  assert.match(text, /"primes": \[11\]/);
  const finish = loads(readFileSync(join(runDir, "finish.pack"), "utf8")) as { outcome: { value: number[] } };
  assert.equal(finish.outcome.value, [11, 7]);
  assert.not.ok(readdirSync(runDir, { recursive: true }).some((n) => String(n).endsWith(".tmp")));
});

test("a truncated checkpoint is reported by file and problem; resume refuses it and nothing changes", async () => {
  const trace = await scheduler.run(getPrimes, [7, 8, 9, 11]);
  const runDir = join(root, "runs", trace.runId);
  const file = join(runDir, "checkpoints", "000003.pack");
  truncateSync(file, statSync(file).size - 40);
  const before = snapshot(runDir);
  const store = new DirectoryStore(root);
  const error = await rejects(store.readCheckpoint(trace.runId, 3));
  assert.is(error.code, "truncated");
  assert.is(error.location, file);
  assert.match(error.message, /000003\.pack:\d+:\d+: the file ends in the middle of a checkpoint/);
  const viaResume = await rejects(scheduler.resume(trace.runId, { from: 3 }));
  assert.is(viaResume.location, file);
  assert.equal(snapshot(runDir), before, "no file of the run changed");
  assert.ok((await store.readCheckpoint(trace.runId, 2)).suspension, "the other checkpoints still read");
});

test("garbage, an empty file and a wrong record each get their own message", async () => {
  const trace = await scheduler.run(getPrimes, [7, 8]);
  const runDir = join(root, "runs", trace.runId);
  const store = new DirectoryStore(root);
  writeFileSync(join(runDir, "checkpoints", "000000.pack"), "pack/1\n{\"run\": @@@}");
  writeFileSync(join(runDir, "checkpoints", "000001.pack"), "");
  const garbage = await rejects(store.readCheckpoint(trace.runId, 0));
  assert.is(garbage.code, "corrupt");
  assert.match(garbage.message, /000000\.pack:2:\d+: this is not a readable checkpoint: /);
  assert.is(garbage.line, 2);
  const empty = await rejects(store.readCheckpoint(trace.runId, 1));
  assert.is(empty.code, "truncated");
  assert.match(empty.message, /000001\.pack: the checkpoint file is empty/);
  writeFileSync(join(runDir, "run.pack"), 'pack/1 {"id": "x"}');
  const wrong = await rejects(store.readRun(trace.runId));
  assert.is(wrong.code, "corrupt");
  assert.match(wrong.message, /run\.pack: this is not a run record: the field "workflow" is missing/);
});

test("listing runs reports a broken run and lists the others", async () => {
  const store = new DirectoryStore(root);
  const runs = await store.listRuns();
  const broken = runs.filter((r) => r.problem);
  assert.is(broken.length, 1);
  assert.match(broken[0]!.problem!, /run\.pack: this is not a run record/);
  assert.ok(runs.filter((r) => !r.problem && r.status === "completed").length >= 2);
});

test("an unknown run id and a path-like id are not-found errors", async () => {
  const store = new DirectoryStore(root);
  assert.is((await rejects(store.readRun("no-such-run"))).code, "not-found");
  assert.is((await rejects(store.readRun("../etc"))).code, "not-found");
});

test("resume of a finished run gives its stored trace; from an earlier checkpoint it forks a new run", async () => {
  const trace = await scheduler.run(getPrimes, [7, 8, 9, 11]);
  const again = await scheduler.resume(trace.runId);
  assert.is(again.runId, trace.runId);
  assert.equal(again.value, [11, 7]);
  assert.is(again.checkpoints.length, 4);
  const fork = await scheduler.resume(trace.runId, { from: 1 });
  assert.is.not(fork.runId, trace.runId);
  assert.equal(fork.value, [11, 7]);
  assert.equal(fork.run.forkedFrom, { run: trace.runId, checkpoint: 1 });
  assert.is(fork.checkpoints[0]!.index, 0);
});

test.after(async () => {
  await scheduler.close();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
