// For any value pack can hold, a suspension with that value in its locals resumes the same way
// from its text or binary copy as from itself: snapshot → dumps → loads → resume is resume.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { settle, type Outcome, type Step, type Workflow } from "otf";
import { decode, dumps, encode, loads } from "otf/pack";
import { importCompiled, removeWorkDir } from "./harness.ts";
import { packable } from "../pack/arbitraries.ts";

const seed = process.env.OTF_SEED ? Number(process.env.OTF_SEED) : 4_020_252;
const runs = Math.max(1000, Math.floor(Number(process.env.OTF_RUNS ?? 0) / 5));

const holder = `import { workflow, task, defer } from "otf";

export const ok = task((value: unknown) => value);
export const input: unknown[] = [];

export const main = workflow(async (value: unknown, other: unknown) => {
  const held = [value, other, value];
  const sent = await defer(ok, "first");
  const back = await defer(ok, held);
  return { value, other, held, sent, back };
});
`;

/** Resumes with `outcome`, then settles every later await in this process, and shows how it ended as pack text. */
async function finish(step: Step<unknown>, outcome: Outcome): Promise<string> {
  if (step.kind !== "suspended") throw new Error(`expected a suspension, got ${step.kind}`);
  let next = step.resume(outcome);
  while (next.kind === "suspended") next = next.resume(await settle(next.awaiting));
  return dumps(next);
}

test("a suspension holding any pack value resumes from its text and binary copies as from itself", async () => {
  const main = (await importCompiled(holder)).module.main as unknown as Workflow<[unknown, unknown], unknown>;
  const outcome = fc.oneof(
    packable.map((value): Outcome => ({ kind: "value", value })),
    packable.map((error): Outcome => ({ kind: "error", error })),
  );
  await fc.assert(
    fc.asyncProperty(packable, packable, outcome, async (value, other, sent) => {
      const suspension = main.start(value, other);
      const expected = await finish(suspension, sent);
      assert.is(await finish(loads(dumps(suspension)) as Step<unknown>, sent), expected, "resumed from the text copy");
      assert.is(await finish(decode(encode(suspension)) as Step<unknown>, sent), expected, "resumed from the binary copy");
    }),
    { seed, numRuns: runs },
  );
});

test.after(() => removeWorkDir());

test.run();
