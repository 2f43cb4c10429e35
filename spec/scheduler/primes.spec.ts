// The seed's example through the scheduler: `run(getPrimes, V)` gives the seed's value and a
// checkpoint per await, each a snapshot that packs to readable text and resumes elsewhere.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dumps, loads } from "otf/pack";
import type { Suspension } from "otf";
import { Scheduler } from "otf/scheduler";
import { getPrimes, V } from "../../examples/primes.ts";

const scheduler = new Scheduler({ store: false });

test("get_primes(V) gives the seed's result, with one checkpoint per await", async () => {
  const trace = await scheduler.run(getPrimes, [...V]);
  assert.is(trace.status, "completed");
  assert.equal(trace.value, [115797848077099, 115280095190773, 112272535095293, 112582705942171, 112272535095293]);
  assert.is(trace.checkpoints.length, V.length);
  assert.equal(trace.checkpoints.map((c) => c.index), [0, 1, 2, 3, 4, 5]);
});

test("each checkpoint says where it was, its locals, what it awaited and how that ended", async () => {
  const trace = await scheduler.run(getPrimes, [7, 8, 9, 11]);
  const third = trace.checkpoints[2]!;
  assert.is(third.suspension.source, "const ok = await futures.pop()!;");
  assert.is(third.suspension.resumePoint, "futures.pop()!");
  assert.equal(third.suspension.locals.primes, [11]);
  assert.is(third.suspension.locals.candidate, 8);
  assert.equal((third.awaiting as { args: unknown[] }).args, [8]);
  assert.equal(third.outcome, { kind: "value", value: false });
  assert.ok(third.at.getTime() <= third.resumedAt!.getTime());
  assert.is(trace.runId, third.runId);
});

test("a checkpoint packs to readable text and, loaded again, resumes to the same result", async () => {
  const trace = await scheduler.run(getPrimes, [7, 8, 9, 11]);
  const text = dumps(trace.checkpoints[1]!.suspension, { indent: 2 });
  assert.match(text, /@otf\.Suspension/);
  assert.match(text, /"candidate": 9/);
  let step = (loads(text) as Suspension).resume(trace.checkpoints[1]!.outcome!);
  while (step.kind === "suspended") {
    const awaited = step.awaiting as { outcome?: { kind: "value"; value: unknown } };
    step = step.resume(awaited.outcome ?? { kind: "value", value: false });
  }
  assert.equal(step, { kind: "completed", value: [11, 7] });
});

test("a workflow that was not compiled is refused with the runtime's error", async () => {
  const { workflow } = await import("otf");
  const plain = workflow(async () => 1);
  try {
    await scheduler.run(plain);
    assert.unreachable();
  } catch (error) {
    assert.is((error as Error).name, "ResumeError");
  }
});

test.after(() => scheduler.close());
test.run();
