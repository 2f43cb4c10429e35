// The property: a generated workflow program returns the same value or throws the same error,
// with the same log of side effects, whether it runs natively, compiled straight through,
// resumed at every await from a pack copy, or resumed at some awaits in a worker thread.
//   OTF_RUNS (default 500), OTF_SEED (default fixed; random when OTF_RUNS is set) and
//   OTF_PATH (a shrunk counterexample's path) choose the sample; OTF_AVOID=construct,…
//   (names from printer.ts's allConstructs) skips programs with those constructs, to look
//   past a bug already reported.
import { test } from "uvu";
import fc from "fast-check";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { programs, type Program } from "./generator.ts";
import { printProgram } from "./printer.ts";
import { checkProgram, removeWorkDir } from "./harness.ts";
import { minimize } from "./minimize.ts";
import { ResumePool } from "otf/testing";

const runs = Number(process.env.OTF_RUNS ?? 500);
const seed = process.env.OTF_SEED ? Number(process.env.OTF_SEED) : process.env.OTF_RUNS ? Date.now() % 2 ** 31 : 4_020_251;
const path = process.env.OTF_PATH;
const avoided = new Set((process.env.OTF_AVOID ?? "").split(",").filter(Boolean));
const pool = new ResumePool({ size: 2 });

/** Awaits to resume in a worker: `mask[n % mask.length]` for the n-th await. */
const workerMask = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 });

/** What kind of failure an error is, so minimizing keeps to the same bug: the way that disagreed, or the error's start. */
function signature(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(" disagrees ")[0].slice(0, 60);
}

function avoids(program: Program): boolean {
  return ![...printProgram(program).constructs].some((c) => avoided.has(c));
}

async function failure(program: Program, mask: boolean[]): Promise<unknown> {
  if (!avoids(program)) return undefined;
  try {
    await checkProgram(printProgram(program).source, pool, (n) => mask[n % mask.length]);
    return undefined;
  } catch (error) {
    return error;
  }
}

async function report(details: fc.RunDetails<[Program, boolean[]]>): Promise<string> {
  const [shrunk, mask] = details.counterexample!;
  const kind = signature(details.errorInstance);
  const program = await minimize(shrunk, async (candidate) => {
    const error = await failure(candidate, mask);
    return error !== undefined && signature(error) === kind;
  }, 800);
  const error = await failure(program, mask);
  const { source } = printProgram(program);
  const file = join(import.meta.dirname, "../.tmp/counterexample.ts");
  writeFileSync(file, source);
  return [
    `after ${details.numRuns} programs, this program (shrunk and minimized; also in ${file}) fails:`,
    "",
    source,
    `awaits resumed in a worker (n-th await: mask[n % ${mask.length}]): ${JSON.stringify(mask)}`,
    "",
    error instanceof Error ? error.message : String(error),
    "",
    `rerun (fast-check's shrunk program, before minimizing): OTF_SEED=${details.seed} OTF_PATH=${JSON.stringify(details.counterexamplePath)} node spec/run.ts property/resume`,
  ].join("\n");
}

test("a resumed workflow agrees with the native async function on its value, error and side effects", async () => {
  const property = fc.asyncProperty(programs(), workerMask, async (program, mask) => {
    fc.pre(avoids(program));
    await checkProgram(printProgram(program).source, pool, (n) => mask[n % mask.length]);
  });
  const details = await fc.check(property, { seed, path, numRuns: runs });
  if (details.failed) throw new Error(await report(details));
});

test.after(async () => {
  await pool.close();
  removeWorkDir();
});

test.run();
