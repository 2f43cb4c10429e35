// The edit-and-resume property: a random workflow program (spec/property's generator and printer)
// is snapshotted at a random await; the program is then edited in ways that change nothing it does
// (comments, blank lines, `void 0;`, a block with an unused const, at random statement positions,
// no await's text touched) and loaded under the same module id. The plan must have no problems,
// and resuming the old snapshot with it must give exactly what the original gives straight through.
//   OTF_EDIT_RUNS (default 100) and OTF_SEED (default fixed; random when OTF_EDIT_RUNS is set).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import ts from "typescript";
import { test } from "uvu";
import { describePlan, settle, type ResumePlan, type Step, type Suspension, type Workflow } from "otf";
import { dumps, loads } from "otf/pack";
import { compile } from "otf/transformer";
import { difference } from "../laws.ts";
import { programs } from "../property/generator.ts";
import { printProgram } from "../property/printer.ts";

const runs = Number(process.env.OTF_EDIT_RUNS ?? 100);
const seed = process.env.OTF_SEED ? Number(process.env.OTF_SEED) : process.env.OTF_EDIT_RUNS ? Date.now() % 2 ** 31 : 6_060_606;

const root = join(import.meta.dirname, "../..");
const work = join(root, "spec/.tmp", `edit-resume-property-${process.pid}`);
mkdirSync(work, { recursive: true });
// Both versions of every program are compiled as this one file, so the workflow keeps its id.
const fileName = join(work, "program.ts");
let modules = 0;
/** A workflow that awaits more often than this loops. */
const maxSteps = 10_000;

interface ProgramModule {
  main: Workflow<[number[]], unknown>;
  input: number[];
}

async function load(source: string): Promise<ProgramModule> {
  const { code, diagnostics } = compile(source, fileName, { projectRoot: root });
  if (diagnostics.length) throw new Error(`the transformer rejected the program: ${diagnostics[0]!.code} ${diagnostics[0]!.message} at ${diagnostics[0]!.line}:${diagnostics[0]!.column}`);
  const path = join(work, `v${modules++}.mjs`);
  writeFileSync(path, code);
  return import(pathToFileURL(path).href);
}

type Observation = { kind: "value"; value: unknown } | { kind: "error"; error: string };

async function finish(step: Step<unknown>, resume: (s: Suspension) => Promise<Step<unknown>> = async (s) => s.resume(await settle(s.awaiting))): Promise<Observation> {
  for (let n = 0; step.kind === "suspended"; n++) {
    if (n > maxSteps) throw new Error(`more than ${maxSteps} awaits: the workflow loops`);
    step = await resume(step);
  }
  if (step.kind === "completed") return { kind: "value", value: step.value };
  const error = step.error;
  return { kind: "error", error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

/** What can be inserted between two statements without changing what the program does. */
type Insertion = "comment" | "blank" | "void" | "block";
interface Edit {
  /** Which insertion point (modulo their count). */
  at: number;
  what: Insertion;
}

const edits = fc.tuple(
  fc.record({ at: fc.nat(), what: fc.constantFrom<Insertion>("void", "block") }),
  fc.array(fc.record({ at: fc.nat(), what: fc.constantFrom<Insertion>("comment", "blank", "void", "block") }), { maxLength: 5 }),
).map(([statement, more]) => [statement, ...more]);

/** Where a statement may go inside the workflow's function: before each statement of a block or case, and before each block's `}`. */
function insertionPoints(source: string): number[] {
  const file = ts.createSourceFile("program.ts", source, ts.ScriptTarget.ES2023, true);
  let body: ts.Node | undefined;
  const findWorkflow = (node: ts.Node): void => {
    if (!body && ts.isCallExpression(node) && node.expression.getText(file) === "workflow" && node.arguments[0] && ts.isArrowFunction(node.arguments[0])) body = node.arguments[0].body;
    else ts.forEachChild(node, findWorkflow);
  };
  findWorkflow(file);
  if (!body) throw new Error("no workflow in the printed program");
  const points: number[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) {
      for (const statement of node.statements) points.push(statement.getStart(file));
      if (ts.isBlock(node)) points.push(node.getEnd() - 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return points;
}

function applyEdits(source: string, chosen: readonly Edit[]): string {
  const points = insertionPoints(source);
  const inserts = chosen.map((edit, n) => {
    const text = { comment: `// edited ${n}\n`, blank: "\n", void: "void 0;\n", block: `{ const unusedEdit${n} = ${n}; }\n` }[edit.what];
    return { at: points[edit.at % points.length]!, text };
  });
  // From the end, so that earlier positions stay valid; at one point, in the order chosen.
  inserts.sort((a, b) => b.at - a.at);
  let edited = source;
  for (const { at, text } of inserts) edited = edited.slice(0, at) + text + edited.slice(at);
  return edited;
}

interface Failure {
  why: string;
  plan?: ResumePlan;
}

/** What went wrong; "resumed" when the property holds, "no await" when the program reaches none. */
async function check(source: string, chosen: readonly Edit[], pick: number): Promise<Failure | "resumed" | "no await"> {
  const original = await load(source);
  const expected = await finish(original.main.start(structuredClone(original.input)));
  let awaits = 0;
  await finish(original.main.start(structuredClone(original.input)), async (s) => (awaits++, s.resume(await settle(s.awaiting))));
  if (awaits === 0) return "no await";
  const k = pick % awaits;
  let step: Step<unknown> = original.main.start(structuredClone(original.input));
  for (let n = 0; n < k; n++) step = (step as Suspension).resume(await settle((step as Suspension).awaiting));
  const text = dumps(step);
  const edited = await load(applyEdits(source, chosen));
  if (edited.main.hash === original.main.hash) return { why: "the edit left the workflow's hash as it was" };
  const snapshot = loads(text) as Suspension;
  const plan = snapshot.planResume();
  if (plan.problems.length) return { why: "the plan has problems", plan };
  if (plan.to?.resumePoint !== plan.from.resumePoint) return { why: "the plan resumes at another await", plan };
  const resumed = await finish(snapshot.resume(await settle(snapshot.awaiting), { plan }));
  const found = difference(expected, resumed);
  if (found !== undefined) return { why: `resumed on the edited code, it differs at ${found}:\n  straight: ${JSON.stringify(expected)}\n  resumed:  ${JSON.stringify(resumed)}`, plan };
  return "resumed";
}

test("a snapshot resumed on benignly edited code gives what the original gives straight through", async () => {
  let resumed = 0;
  const property = fc.asyncProperty(programs(), edits, fc.nat(), async (program, chosen, pick) => {
    const source = printProgram(program).source;
    const result = await check(source, chosen, pick);
    if (result === "resumed") resumed++;
    if (typeof result === "object") {
      const plan = result.plan ? `\n${describePlan(result.plan)}` : "";
      throw new Error(`${result.why}${plan}\n--- edited program ---\n${applyEdits(source, chosen)}`);
    }
  });
  const details = await fc.check(property, { seed, numRuns: runs });
  if (details.failed) throw new Error(`seed ${details.seed}, path ${details.counterexamplePath}: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
  process.stdout.write(`  ${details.numRuns} programs (seed ${seed}): ${resumed} resumed on edited code, the others reach no await\n`);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
