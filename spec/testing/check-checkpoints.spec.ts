// otf/testing's checkCheckpoints on the golden checkpoints of spec/testing/checkpoints/: those of
// the current order workflow resume as they are (plain files and a scheduler store alike), those
// of its first version map onto the edit or say why they cannot resume.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AssertionError } from "node:assert";
import { mkdirSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { join } from "node:path";
import { assertCheckpoints, checkCheckpoints, type CheckpointReport } from "otf/testing";
import { placeOrder } from "./workflows/order.ts";

const golden = join(import.meta.dirname, "checkpoints");
const byFile = (checkpoints: readonly CheckpointReport[]) => new Map(checkpoints.map((c) => [c.file.replace(/runs\/[^/]+\//, "runs/<run>/"), c]));

test("checkpoints taken with the current code resume as they are, from plain files and from a scheduler store", async () => {
  const report = await checkCheckpoints(golden, placeOrder);
  const found = byFile(report.checkpoints);
  for (const file of ["v2/0.pack", "v2/1.pack", "v2/2.pack", "store/runs/<run>/checkpoints/000000.pack", "store/runs/<run>/checkpoints/000002.pack"]) {
    assert.is(found.get(file)?.status, "resumes", file);
  }
  // The store's other records (the run, task results, the finish) are not checkpoints.
  assert.ok(report.skipped.some((f) => f.endsWith("run.pack")) && report.skipped.some((f) => f.includes("results/")));
  assert.is(report.checkpoints.length, 9);
});

test("checkpoints of the first version map onto the edited code or say why they cannot resume", async () => {
  const report = await checkCheckpoints(golden, placeOrder);
  const found = byFile(report.checkpoints);
  const last = found.get("v1/2.pack")!;
  assert.is(last.status, "maps");
  assert.equal([last.from?.line, last.to?.line], [11, 14]);
  // The object literal reads reservation and receipt after its await: they are carried, the rest dropped.
  assert.equal(last.dropped, ["sku", "amount"]);
  assert.equal([...last.carried].sort(), ["receipt", "reservation"]);
  const charged = found.get("v1/1.pack")!;
  assert.is(charged.status, "cannot-resume");
  assert.match(charged.problems[0]!, "the await `defer(charge, amount)` (line 10) no longer exists");
  assert.ok(charged.description.includes("line 13: const receipt = await defer(charge, total);"), "the report lists the resume points of the code now");
  const reserved = found.get("v1/0.pack")!;
  assert.is(reserved.status, "cannot-resume");
  assert.ok(reserved.missing.includes("total"), "the edit reads a local the old snapshot does not have");
  assert.not.ok(report.ok);
  const text = report.toString();
  assert.match(text, "7 resumes, 1 maps, 2 cannot-resume, 0 unreadable".replace("7", "6"));
  assert.match(text, "v1/2.pack: line 11 `return { reservation, receipt, tracking: await defer(ship, reservation) };` → line 14: maps onto the edited code");
});

test("assertCheckpoints throws an AssertionError naming the checkpoints that cannot resume, and passes a folder that all resume", async () => {
  try {
    await assertCheckpoints(golden, placeOrder);
    assert.unreachable("v1/0 and v1/1 cannot resume");
  } catch (error) {
    assert.instance(error, AssertionError);
    assert.match((error as Error).message, "v1/1.pack: line 10 `const receipt = await defer(charge, amount);`: cannot resume");
  }
  const report = await assertCheckpoints(join(golden, "v2"), placeOrder);
  assert.is(report.checkpoints.length, 3);
});

test("a corrupt checkpoint file is reported as unreadable, not thrown", async () => {
  const dir = join(import.meta.dirname, "../.tmp", `checkpoints-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    cpSync(join(golden, "v2/0.pack"), join(dir, "good.pack"));
    writeFileSync(join(dir, "truncated.pack"), "pack/1\n@otf.Suspension {\n  \"workflow\": ");
    const report = await checkCheckpoints(dir, placeOrder);
    const found = byFile(report.checkpoints);
    assert.is(found.get("good.pack")?.status, "resumes");
    assert.is(found.get("truncated.pack")?.status, "unreadable");
    assert.match(found.get("truncated.pack")!.problems[0]!, "ends");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
