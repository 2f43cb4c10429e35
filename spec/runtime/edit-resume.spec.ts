// Fix the code, resume from the middle: a snapshot taken with one version of a workflow,
// resumed on an edited version through the plan (issue #6's table of edits).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ResumeError, settle, type Step, type Suspension, type Workflow } from "otf";
import { loads, dumps } from "otf/pack";
import { compile } from "otf/transformer";

const root = join(import.meta.dirname, "../..");
const work = join(root, "spec/.tmp", `edit-resume-${process.pid}`);
mkdirSync(work, { recursive: true });
// Every version is compiled as the same module, so its workflow keeps its id.
const fileName = join(root, "spec/fixtures/edited/orders.ts");
let versions = 0;

async function load(source: string): Promise<Record<string, Workflow<[number[]], unknown>>> {
  const { code, diagnostics } = compile(source, fileName, { projectRoot: root });
  assert.equal(diagnostics, []);
  const path = join(work, `v${versions++}.mjs`);
  writeFileSync(path, code);
  return import(pathToFileURL(path).href);
}

const base = (body: string, name = "orders") => `import { workflow, task, defer } from "otf";
export const price = task((n: number) => n * 10);
export const ${name} = workflow(async (items: number[]) => {
${body}
});
`;

const original = base(`  let total = 0;
  const seen: number[] = [];
  for (const item of items) {
    seen.push(item);
    total += await defer(price, item);
  }
  const shipping = await defer(price, seen.length);
  return { total, shipping, seen };`);

/** Runs `source` (the original) to its `k`-th await and returns that snapshot as text (as stored). */
async function snapshotAt(k: number, source = original): Promise<string> {
  const { orders } = await load(source);
  let step: Step<unknown> = orders!.start([1, 2, 3]);
  for (let n = 1; n < k; n++) step = (step as Suspension).resume(await settle((step as Suspension).awaiting));
  return dumps(step);
}

async function finish(step: Step<unknown>): Promise<unknown> {
  while (step.kind === "suspended") step = step.resume(await settle(step.awaiting));
  if (step.kind === "failed") throw step.error;
  return step.value;
}

interface Edit {
  name: string;
  /** The version the snapshot is taken with, when not `original`. */
  from?: string;
  source: string;
  at: number;
  expect: { to?: string; carried?: string[]; dropped?: string[]; missing?: string[]; problem?: RegExp; value?: unknown; error?: RegExp };
}

const edits: Edit[] = [
  {
    name: "lines added above and below the await: same resume point, same locals",
    source: base(`  let total = 0;
  const seen: number[] = [];
  // a comment above
  for (const item of items) {
    seen.push(item);

    total += await defer(price, item);
    // and one below
  }
  const shipping = await defer(price, seen.length);
  return { total, shipping, seen };`),
    at: 2,
    // `item` is not read after the await (the next iteration binds it again), nor is `items` (the loop walks
    // the array it took at its start, held in the frame's temps): neither is carried.
    expect: { to: "defer(price, item)", carried: ["total", "seen"], dropped: ["items", "item"], value: { total: 60, shipping: 30, seen: [1, 2, 3] } },
  },
  {
    name: "an await added after the resume point runs on resume",
    source: base(`  let total = 0;
  const seen: number[] = [];
  for (const item of items) {
    seen.push(item);
    total += await defer(price, item);
  }
  const shipping = await defer(price, seen.length);
  const bonus = await defer(price, 1);
  return { total: total + bonus, shipping, seen };`),
    at: 2,
    expect: { to: "defer(price, item)", value: { total: 70, shipping: 30, seen: [1, 2, 3] } },
  },
  {
    name: "an await added before the resume point does not run again",
    source: base(`  const first = await defer(price, 0);
  let total = first;
  const seen: number[] = [];
  for (const item of items) {
    seen.push(item);
    total += await defer(price, item);
  }
  const shipping = await defer(price, seen.length);
  return { total, shipping, seen };`),
    at: 2,
    expect: { to: "defer(price, item)", value: { total: 60, shipping: 30, seen: [1, 2, 3] } },
  },
  {
    name: "a branch added after the await changes what follows",
    source: base(`  let total = 0;
  const seen: number[] = [];
  for (const item of items) {
    seen.push(item);
    total += await defer(price, item);
    if (item === 2) total += 1000;
  }
  const shipping = await defer(price, seen.length);
  return { total, shipping, seen };`),
    at: 2,
    expect: { to: "defer(price, item)", value: { total: 1060, shipping: 30, seen: [1, 2, 3] } },
  },
  {
    name: "a local renamed: the new name is missing, the old one dropped",
    source: base(`  let sum = 0;
  const seen: number[] = [];
  for (const item of items) {
    seen.push(item);
    sum += await defer(price, item);
  }
  const shipping = await defer(price, seen.length);
  return { total: sum, shipping, seen };`),
    at: 2,
    expect: { to: "defer(price, item)", missing: ["sum"], dropped: ["items", "total", "item"], problem: /reads `sum` after this await/ },
  },
  {
    name: "the awaited expression changed: the resume point is gone, candidates listed",
    source: base(`  let total = 0;
  const seen: number[] = [];
  for (const item of items) {
    seen.push(item);
    total += await defer(price, item * 2);
  }
  const shipping = await defer(price, seen.length);
  return { total, shipping, seen };`),
    at: 2,
    expect: { problem: /the await `defer\(price, item\)` \(line 8\) no longer exists/ },
  },
  {
    name: "the await moved out of its loop: what it holds while awaiting changed",
    source: base(`  let total = 0;
  const seen: number[] = [...items];
  const item = seen[0]!;
  total += await defer(price, item);
  const shipping = await defer(price, seen.length);
  return { total, shipping, seen };`),
    at: 2,
    expect: { to: "defer(price, item)", problem: /changed what it holds while awaiting: \[for…of items of items; for…of index over items\] then, \[\] now/ },
  },
  {
    name: "a closure that shares the frame's locals still shares them after the plan (a comment added)",
    from: base(`  let total = 0;
  const seen: number[] = [];
  const add = (n: number) => {
    total += n;
  };
  for (const item of items) {
    seen.push(item);
    add(await defer(price, item));
  }
  const shipping = await defer(price, seen.length);
  return { total, shipping, seen };`),
    source: base(`  let total = 0;
  const seen: number[] = [];
  const add = (n: number) => {
    total += n;
  };
  for (const item of items) {
    seen.push(item);
    // prices are added by add()
    add(await defer(price, item));
  }
  const shipping = await defer(price, seen.length);
  return { total, shipping, seen };`),
    at: 2,
    expect: { to: "defer(price, item)", dropped: ["items", "item"], value: { total: 60, shipping: 30, seen: [1, 2, 3] } },
  },
  {
    name: "the workflow renamed: not loaded, and the module's workflows named",
    source: base(`  return { total: 0, shipping: 0, seen: items };`, "ordersRenamed"),
    at: 1,
    expect: { error: /workflow spec\/fixtures\/edited\/orders\.ts#orders is not loaded in this process; workflows of spec\/fixtures\/edited\/orders\.ts loaded now: .*ordersRenamed/ },
  },
];

for (const e of edits) {
  test(e.name, async () => {
    const text = await snapshotAt(e.at, e.from);
    await load(e.source);
    const snapshot = loads(text) as Suspension;
    let plan;
    try {
      plan = snapshot.planResume();
    } catch (error) {
      assert.ok(e.expect.error, `unexpected error: ${error}`);
      assert.instance(error, ResumeError);
      assert.match((error as Error).message, e.expect.error!);
      return;
    }
    assert.not.ok(e.expect.error, "expected an error");
    if (e.expect.to) assert.is(plan.to?.resumePoint, e.expect.to);
    if (e.expect.carried) assert.equal([...plan.carried].sort(), [...e.expect.carried].sort());
    if (e.expect.dropped) assert.equal(plan.dropped, e.expect.dropped);
    if (e.expect.missing) assert.equal(plan.missing, e.expect.missing);
    const outcome = await settle(snapshot.awaiting);
    // Without the plan, a changed workflow never resumes silently.
    try {
      snapshot.resume(outcome);
      assert.unreachable("a changed workflow resumed without a plan");
    } catch (error) {
      assert.instance(error, ResumeError);
      assert.is((error as ResumeError).code, "code-changed");
    }
    if (e.expect.problem) {
      assert.match(plan.problems.join("\n"), e.expect.problem);
      if (!plan.to) assert.ok(plan.candidates.length > 0, "candidates listed");
      assert.throws(() => snapshot.resume(outcome, { plan }), (error: unknown) => error instanceof ResumeError && error.code === "plan-has-problems");
      return;
    }
    assert.equal(plan.problems, []);
    assert.equal(await finish(snapshot.resume(outcome, { plan })), e.expect.value);
  });
}

test("the plan carries a var written before its declaration and a destructured element bound before the await", async () => {
  const version = (comment: string) => base(`  ${comment}
  let [first, second = await defer(price, items.length)] = items;
  total = first! + second!;
  const extra = await defer(price, 1);
  var total: number;
  return { total: total + extra, shipping: 0, seen: items };`);
  const { orders } = await load(version(""));
  // One item: the second's default, and its await, are reached.
  const step = orders!.start([1]);
  assert.is(step.kind, "suspended");
  const text = dumps(step);
  await load(version("// edited"));
  const plan = (loads(text) as Suspension).planResume();
  assert.equal(plan.problems, []);
  assert.ok(plan.carried.includes("first"), `first is bound before the await: ${plan.carried}`);
  const later = (loads(text) as Suspension).resume({ kind: "value", value: 2 }, { plan }) as Suspension;
  const second = later.planResume();
  assert.ok(second.carried.includes("total"), `a var is there from the start: ${second.carried}`);
  assert.equal(await finish(later), { total: 13, shipping: 0, seen: [1] });
});

test("a plan accepted for one snapshot is refused for another at the same await that lacks a local", async () => {
  const text = await snapshotAt(2);
  await load(edits[0]!.source);
  const plan = (loads(text) as Suspension).planResume();
  assert.equal(plan.problems, []);
  const edited = text.replace(/"total": ?\d+, ?/, "");
  assert.is.not(edited, text, "the snapshot text holds total");
  const other = loads(edited) as Suspension;
  const outcome = await settle(other.awaiting);
  assert.throws(() => other.resume(outcome, { plan }), (error: unknown) => error instanceof ResumeError && error.code === "plan-mismatch" && /locals missing: total/.test(error.message));
});

test.run();
