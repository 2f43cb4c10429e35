// Runs one generated workflow program four ways and says how they differ, if they do:
// natively; compiled straight through; compiled and resumed at every await after a pack
// round trip (text and binary, alternating); compiled and resumed at some awaits in a
// worker thread that receives the encoded suspension, settles what it awaits and resumes.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { settle, type Step, type Workflow } from "otf";
import { dumps, encode } from "otf/pack";
import { packRoundTrip, type ResumePool } from "otf/testing";
import { compile } from "../../transformer/index.ts";
import { difference } from "../laws.ts";
import { transpileNative } from "./native.ts";

/** What a run of a program shows from outside: the value it returned or the error it ended with. */
export type Observation = { kind: "value"; value: unknown } | { kind: "error"; error: string };

/** A program module: its workflow `main` and the argument to call it with. */
export interface ProgramModule { main: Workflow<[number[]], unknown>; input: number[]; }

const root = join(import.meta.dirname, "../..");
/** Where this process writes program modules: inside the repo, so `import "otf"` self-resolves. */
export const workDir = join(root, "spec/.tmp", `programs-${process.pid}`);

/** A workflow that awaits more often than this is looping where the native one did not. */
const maxSteps = 10_000;

/** Writes `code` beside its TypeScript source, under a directory named by the source's hash, and imports it. */
async function importModule(source: string, variant: string, code: (fileName: string) => string): Promise<{ module: ProgramModule; path: string }> {
  const dir = join(workDir, createHash("sha1").update(source).digest("hex").slice(0, 16));
  mkdirSync(dir, { recursive: true });
  const sourcePath = join(dir, "program.ts");
  writeFileSync(sourcePath, source);
  const path = join(dir, `${variant}.mjs`);
  writeFileSync(path, code(sourcePath));
  return { module: (await import(pathToFileURL(path).href)) as ProgramModule, path };
}

export function importNative(source: string) {
  return importModule(source, "native", () => transpileNative(source));
}

export function importCompiled(source: string) {
  return importModule(source, "compiled", (fileName) => {
    const { code, diagnostics } = compile(source, fileName, { projectRoot: root });
    if (diagnostics.length) {
      const [d] = diagnostics;
      throw new Error(`the transformer rejected the program: ${d.code} ${d.message} at ${d.line}:${d.column}`);
    }
    return code;
  });
}

export function removeWorkDir(): void {
  rmSync(workDir, { recursive: true, force: true });
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `thrown ${inspect(error)}`;
}

async function observe(run: () => Promise<unknown>): Promise<Observation> {
  try {
    return { kind: "value", value: await run() };
  } catch (error) {
    return { kind: "error", error: describeError(error) };
  }
}

function ended(step: Step<unknown>): Observation {
  if (step.kind === "completed") return { kind: "value", value: step.value };
  if (step.kind === "failed") return { kind: "error", error: describeError(step.error) };
  throw new Error("the workflow is still suspended");
}

/** Each way gets its own copy of the input: a workflow may mutate its argument, and the ways share a module. */
function freshInput(program: ProgramModule): number[] {
  return structuredClone(program.input);
}

/** Way 1 and 2: call the workflow; compiled or not is the module's business. */
export function runStraight(program: ProgramModule): Promise<Observation> {
  return observe(() => program.main(freshInput(program)));
}

/**
 * Way 3: resume at every await, each time from a copy of the suspension that went through
 * pack. The outcome is settled from the copy's `awaiting`, as a scheduler that loaded the
 * snapshot would: awaiting a plain value hands back the copy's own value, shared as it is
 * shared with the copy's locals.
 */
export async function runRoundTripped(program: ProgramModule): Promise<Observation> {
  let step = program.main.start(freshInput(program));
  for (let n = 0; step.kind === "suspended"; n++) {
    if (n > maxSteps) throw new Error(`more than ${maxSteps} awaits: the compiled workflow loops`);
    const copy = packRoundTrip(step, n);
    const before = dumps(copy);
    step = copy.resume(await settle(copy.awaiting));
    if (dumps(copy) !== before) throw new Error(`resume mutated the suspension it resumed (await #${n + 1}, ${n % 2 === 0 ? "text" : "binary"} copy)`);
  }
  return ended(step);
}

/**
 * Way 4: at the awaits `inWorker` picks, a worker thread gets the encoded suspension, settles
 * what it awaits there (running the task in that thread) and resumes; at the others this
 * thread resumes the suspension itself, no copy.
 */
export async function runInWorkers(program: ProgramModule, modulePath: string, pool: ResumePool, inWorker: (n: number) => boolean): Promise<Observation> {
  let step = program.main.start(freshInput(program));
  for (let n = 0; step.kind === "suspended"; n++) {
    if (n > maxSteps) throw new Error(`more than ${maxSteps} awaits: the compiled workflow loops`);
    step = inWorker(n) ? (await pool.resume({ module: pathToFileURL(modulePath).href, suspension: encode(step) })).step : step.resume(await settle(step.awaiting));
  }
  return ended(step);
}

/** Which way of running disagreed with the native run, and how. */
export class Disagreement extends Error {
  override name = "Disagreement";
}

export function expectSame(way: string, native: Observation, other: Observation): void {
  const found = difference(native, other);
  if (found === undefined) return;
  const show = (o: Observation) => inspect(o, { depth: 8, breakLength: Infinity });
  throw new Disagreement(`${way} disagrees with the native run at ${found}\n  native: ${show(native)}\n  ${way}: ${show(other)}`);
}

/** Runs a printed program all four ways and throws a Disagreement naming the first way that differs. */
export async function checkProgram(source: string, pool: ResumePool, inWorker: (n: number) => boolean): Promise<void> {
  const native = await importNative(source);
  const compiled = await importCompiled(source);
  if (native.module.main.compiled) throw new Error("the native module was compiled by the loader hook: the comparison would be vacuous");
  if (!compiled.module.main.compiled) throw new Error("compile() left the workflow uncompiled");
  const expected = await runStraight(native.module);
  expectSame("compiled straight", expected, await runStraight(compiled.module));
  expectSame("resumed after pack", expected, await runRoundTripped(compiled.module));
  expectSame("resumed in workers", expected, await runInWorkers(compiled.module, compiled.path, pool, inWorker));
}
