// Suspensions as values: resuming is pure, a snapshot names what it needs to resume, and the
// runtime's errors say what is wrong.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ResumeError, SnapshotError, Suspension, explainSnapshotFailure, all, allSettled, any, defer, race, settle, task, workflow, type Step } from "otf";
import { decode, dumps, encode, loads } from "otf/pack";

export const ok = task((v: unknown) => v);
export const fail = task((message: string) => {
  throw new Error(message, { cause: { code: 42 } });
});

export const counter = workflow(async (start: number) => {
  let n = start;
  n += (await defer(ok, 1)) as number;
  n += (await defer(ok, 10)) as number;
  if (n > 100) await defer(fail, `n is ${n}`);
  return n;
});

function suspended<R>(step: Step<R>): Suspension {
  if (step.kind !== "suspended") throw new Error(`expected a suspension, got ${step.kind}`);
  return step;
}

test("resuming a suspension twice gives the same next step and leaves it as it was", () => {
  const first = suspended(counter.start(5));
  const before = dumps(first);
  const a = suspended(first.resume({ kind: "value", value: 1 }));
  const b = suspended(first.resume({ kind: "value", value: 2 }));
  assert.is(dumps(first), before);
  assert.is(a.locals.n, 6);
  assert.is(b.locals.n, 7);
  assert.is(first.locals.n, 5);
});

test("a suspension names its workflow, resume point, line and source text", () => {
  const s = suspended(counter.start(5));
  assert.is(s.workflowId, "spec/runtime/suspension.spec.ts#counter");
  assert.match(s.hash, /^[0-9a-f]{16}$/);
  assert.is(s.resumePoint, "defer(ok, 1)");
  assert.is(s.line, 15);
  assert.is(s.source, "n += (await defer(ok, 1)) as number;");
  const next = suspended(s.resume({ kind: "value", value: 1 }));
  assert.is(next.resumePoint, "defer(ok, 10)");
});

test("an uncaught error fails the workflow with its own stack and cause, also after pack", async () => {
  let step: Step<number> = counter.start(95);
  while (step.kind === "suspended") step = (decode(encode(step)) as Suspension).resume(await settle(step.awaiting)) as Step<number>;
  assert.is(step.kind, "failed");
  const error = (step as { error: Error }).error;
  assert.is(error.message, "n is 106");
  assert.equal(error.cause, { code: 42 });
  assert.match(error.stack!, /suspension\.spec\.ts:\d+/);
});

test("resuming a snapshot of a workflow that is not loaded, or whose code changed, is a ResumeError", () => {
  const record = { ...suspended(counter.start(1)).record };
  const missing = new Suspension({ ...record, workflow: "elsewhere.ts#gone" });
  const changed = new Suspension({ ...record, hash: "0000000000000000" });
  const gone = new Suspension({ ...record, resumePoint: "defer(ok, 99)" });
  for (const [s, code] of [[missing, "workflow-not-loaded"], [changed, "code-changed"], [gone, "unknown-resume-point"]] as const) {
    try {
      s.resume({ kind: "value", value: 1 });
      assert.unreachable(`${code} was not raised`);
    } catch (error) {
      assert.instance(error, ResumeError);
      assert.is((error as ResumeError).code, code);
    }
  }
});

test("a workflow the transformer did not compile runs natively but cannot start", async () => {
  // Through a plain variable, `workflow` is not recognised, so this one stays native.
  const mark = workflow;
  const plain = mark(async (x: number) => x * 2);
  assert.is(plain.compiled, false);
  assert.is(await plain(21), 42);
  assert.throws(() => plain.start(1), (e: unknown) => e instanceof ResumeError && e.code === "not-compiled");
});

test("combinators over futures settle as Promise's do, in index order, and pack", async () => {
  const futures = () => [defer(ok, 1), defer(fail, "no"), defer(ok, 3)];
  const packed = <T>(v: T) => loads(dumps(v)) as T;
  const allOutcome = await settle(packed(all(futures())));
  assert.is(allOutcome.kind, "error");
  assert.is(((allOutcome as { error: Error }).error).message, "no");
  assert.equal(await settle(packed(race(futures()))), { kind: "value", value: 1 });
  assert.equal(await settle(packed(any([defer(fail, "a"), defer(ok, 2)]))), { kind: "value", value: 2 });
  const settled = await settle(allSettled(futures()));
  assert.equal((settled as { value: { status: string }[] }).value.map((s) => s.status), ["fulfilled", "rejected", "fulfilled"]);
  const none = await settle(any([defer(fail, "a"), defer(fail, "b")]));
  assert.instance((none as { error: unknown }).error, AggregateError);
});

export const summing = workflow(async (xs: number[]) => {
  let sum = 0;
  for (const x of xs) {
    const each = (await defer(ok, x)) as number;
    sum += each;
  }
  return sum;
});

test("liveLocals leaves out what the code no longer reads at the await (last iteration's block locals)", () => {
  const first = suspended(summing.start([1, 2, 3]));
  const second = suspended(first.resume({ kind: "value", value: 1 }));
  assert.equal(Object.keys(second.locals).sort(), ["each", "sum", "x", "xs"]);
  assert.equal(second.liveLocals, { sum: 1 });
});

const double = (n: number) => n * 2;
export const holdsAFunction = workflow(async (n: number) => {
  const fn = double;
  const v = (await defer(ok, n)) as number;
  return fn(v);
});

test("a local that cannot be stored is named, with the await it is live across", () => {
  const s = suspended(holdsAFunction.start(1));
  const expected = /^cannot snapshot workflow spec\/runtime\/suspension\.spec\.ts#holdsAFunction at the await `defer\(ok, n\)` \(line \d+\): local `fn` is not serializable: cannot encode a function double.* \(at \$\.locals\.fn\)$/;
  let packError: unknown;
  try {
    dumps(s);
  } catch (error) {
    packError = error;
  }
  const explained = explainSnapshotFailure(packError, s);
  assert.instance(explained, SnapshotError);
  assert.is((explained as SnapshotError).variable, "fn");
  assert.match((explained as Error).message, expected);
  try {
    s.resume({ kind: "value", value: 1 });
    assert.unreachable("resume copied a function");
  } catch (error) {
    assert.instance(error, SnapshotError);
    assert.match((error as Error).message, expected);
  }
});

test.run();
