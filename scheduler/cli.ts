// The `otf` command: run, list, trace, inspect and resume workflows in a directory store.
// Exit codes: 0 done, 1 the workflow failed, 2 bad usage, 3 store problem, 4 workflow cannot load or
// resume (a plan with problems), 5 the workflow's code changed and the plan awaits `--yes`.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { createColors } from "picocolors";
import { dumps } from "../pack/index.ts";
import { describePlan, type ResumePlan, type Workflow } from "../runtime/index.ts";
import { describeAwaited, describeError, describeOutcome, jsonable, show, sourceAround } from "./describe.ts";
import { DirectoryStore } from "./directory-store.ts";
import { StoreError } from "./errors.ts";
import { traceHtml } from "./html.ts";
import { progressReporter } from "./progress.ts";
import { Scheduler } from "./scheduler.ts";
import type { FinishRecord, RunRecord } from "./store.ts";
import { readTrace, type Checkpoint, type Trace } from "./trace.ts";

export const EXIT = { ok: 0, workflowFailed: 1, usage: 2, store: 3, workflow: 4, confirm: 5 } as const;

const color = createColors(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);

class UsageError extends Error {}

interface Global {
  store: string;
  json?: boolean;
}

function print(json: boolean | undefined, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(jsonable(value), null, 2)}\n` : text());
}

function outcomeJson(trace: Trace) {
  return { runId: trace.runId, status: trace.status, value: trace.value, error: trace.error, checkpoints: trace.checkpoints.length };
}

function reportTrace(trace: Trace, json: boolean | undefined, plan?: ResumePlan): number {
  print(json, plan ? { ...outcomeJson(trace), plan } : outcomeJson(trace), () =>
    trace.status === "completed"
      ? `${color.green("completed")} run ${trace.runId} (${trace.checkpoints.length} checkpoints)\n${show(trace.value, 10_000)}\n`
      : `${color.red("failed")} run ${trace.runId} (${trace.checkpoints.length} checkpoints)\n${describeError(trace.error)}\n`,
  );
  return trace.status === "completed" ? EXIT.ok : EXIT.workflowFailed;
}

function parseArgs(texts: string[]): unknown[] {
  return texts.map((text, i) => {
    try {
      return JSON.parse(text);
    } catch {
      throw new UsageError(`argument ${i + 1} is not JSON: ${text} (quote strings as JSON: '"text"')`);
    }
  });
}

async function runCommand(file: string, name: string, argTexts: string[], global: Global): Promise<number> {
  const args = parseArgs(argTexts);
  const module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  const workflow = module[name] as Workflow | undefined;
  if (typeof workflow !== "function" || !("start" in workflow)) {
    const found = Object.entries(module).filter(([, v]) => typeof v === "function" && "start" in v).map(([k]) => k);
    throw new UsageError(`${file} exports no workflow named ${name}${found.length ? ` (it exports: ${found.join(", ")})` : ""}`);
  }
  const scheduler = new Scheduler({ store: global.store, onProgress: progressReporter(color) });
  try {
    return reportTrace(await scheduler.run(workflow, ...args), global.json);
  } finally {
    await scheduler.close();
  }
}

interface ResumeFlags {
  from?: string;
  yes?: boolean;
  dryRun?: boolean;
}

/** The plan with a first line that says whether the code changed, for a person. */
function planText(runId: string, plan: ResumePlan, checkpoint: number): string {
  // With its await gone, the plan has no `to`; the candidates are in the code loaded now.
  const now = plan.to?.hash ?? plan.candidates[0]?.hash;
  const head = `checkpoint ${checkpoint} of run ${runId}: ${now === plan.from.hash ? "the workflow's code is unchanged" : `the workflow's code changed (hash ${plan.from.hash} → ${now ?? "?"})`}`;
  return `${head}\n${describePlan(plan)}\n`;
}

async function resumeCommand(runId: string, options: ResumeFlags, global: Global): Promise<number> {
  const from = options.from === undefined ? undefined : Number(options.from);
  if (from !== undefined && !Number.isInteger(from)) throw new UsageError(`--from takes a checkpoint number, not ${options.from}`);
  const scheduler = new Scheduler({ store: global.store, onProgress: progressReporter(color) });
  try {
    const at = from === undefined ? {} : { from };
    const plan = await scheduler.planResume(runId, at);
    const checkpoint = from ?? (await scheduler.store.checkpointCount(runId)) - 1;
    const changed = plan !== undefined && plan.to?.hash !== plan.from.hash;
    const showPlan = (resumed: boolean) => plan && print(global.json, { plan, changed, resumed }, () => planText(runId, plan, checkpoint));
    if (options.dryRun) {
      if (plan) showPlan(false);
      else print(global.json, { plan: null }, () => `run ${runId} has no checkpoint to resume from${from === undefined ? " (finished, or stopped before its first await); pass --from N" : ""}\n`);
      return plan?.problems.length ? EXIT.workflow : EXIT.ok;
    }
    if (plan?.problems.length) {
      showPlan(false);
      say(`cannot resume run ${runId} from checkpoint ${checkpoint} on the code loaded now (the problems above); nothing was run or stored`);
      return EXIT.workflow;
    }
    if (changed && !options.yes) {
      showPlan(false);
      say(`the code of ${plan.workflow} changed since checkpoint ${checkpoint}; nothing was run. Review the plan above, then run again with --yes to resume with it`);
      return EXIT.confirm;
    }
    if (changed && !global.json) process.stdout.write(planText(runId, plan, checkpoint));
    const trace = await scheduler.resume(runId, changed ? { ...at, plan } : at);
    return reportTrace(trace, global.json, changed ? plan : undefined);
  } finally {
    await scheduler.close();
  }
}

async function runsCommand(global: Global): Promise<number> {
  const runs = await new DirectoryStore(global.store).listRuns();
  print(global.json, runs, () => {
    if (!runs.length) return `no runs in ${resolve(global.store)}\n`;
    const paint = { completed: color.green, failed: color.red, unfinished: color.yellow };
    return runs
      .map((r) => (r.problem ? `${r.id}  ${color.red("unreadable")}  ${r.problem}` : `${r.id}  ${paint[r.status](r.status.padEnd(10))}  ${String(r.checkpoints).padStart(6)} checkpoints  ${r.workflow}`))
      .join("\n")
      .concat("\n");
  });
  return EXIT.ok;
}

function checkpointText(run: RunRecord, c: Checkpoint): string {
  const s = c.suspension;
  const source = sourceAround(run.module, s.line)
    .map((l) => (l.marked ? color.bold(color.yellow(`> ${String(l.number).padStart(4)} │ ${l.text}`)) : color.dim(`  ${String(l.number).padStart(4)} │ ${l.text}`)))
    .join("\n");
  const locals = Object.entries(s.locals).map(([k, v]) => `    ${color.cyan(k)} = ${show(v)}`);
  return [
    color.bold(`checkpoint ${c.index}`) + color.dim(`  ${c.at.toISOString()}  line ${s.line}  ${s.resumePoint}`),
    source || `  ${s.source}`,
    "  locals:",
    ...(locals.length ? locals : ["    (none)"]),
    `  awaited ${describeAwaited(c.awaiting)} → ${describeOutcome(c.outcome)}`,
    "",
  ].join("\n");
}

function finishText(finish: FinishRecord | undefined, runId: string): string {
  if (!finish) return `${color.yellow("unfinished")}: resume it with otf resume ${runId}\n`;
  return finish.outcome.kind === "value" ? `${color.green("result")} ${show(finish.outcome.value, 10_000)}\n` : `${color.red("failed")} ${describeError(finish.outcome.error)}\n`;
}

async function traceCommand(runId: string, options: { html?: string }, global: Global): Promise<number> {
  const store = new DirectoryStore(global.store);
  const { run, checkpoints, finish } = await readTrace(store, runId);
  if (options.html) {
    writeFileSync(options.html, traceHtml(run, checkpoints, finish));
    if (!global.json) process.stderr.write(`wrote ${options.html}\n`);
  }
  const json = { run, checkpoints: checkpoints.map((c) => ({ index: c.index, at: c.at, resumedAt: c.resumedAt, resumePoint: c.suspension.resumePoint, line: c.suspension.line, source: c.suspension.source, locals: c.suspension.locals, awaiting: c.awaiting, outcome: c.outcome })), finish };
  if (options.html && !global.json) return EXIT.ok;
  print(global.json, json, () => `run ${run.id}  ${run.workflow}\n\n${checkpoints.map((c) => checkpointText(run, c)).join("\n")}\n${finishText(finish, run.id)}`);
  return EXIT.ok;
}

async function inspectCommand(file: string, global: Global): Promise<number> {
  const record = await DirectoryStore.readCheckpointFile(resolve(file));
  print(global.json, record, () => `checkpoint ${record.index} of run ${record.run}, ${new Date(record.at).toISOString()}\n${record.suspension.workflowId} line ${record.suspension.line}: ${record.suspension.source}\n\n${dumps(record.suspension, { indent: 2 })}\n`);
  return EXIT.ok;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("otf")
    .description("Run durable otf workflows, and read their checkpoints.")
    .option("--store <dir>", "where runs are kept", ".otf")
    .option("--json", "machine-readable output")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(color.red(text)) });
  const global = () => program.opts<Global>();
  const act =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A): Promise<void> => {
      exitCode = await fn(...args);
    };
  program.command("run <file> <export> [args...]").description("run the workflow exported as <export> from <file>, each arg as JSON").action(act((f: string, e: string, a: string[]) => runCommand(f, e, a, global())));
  program.command("runs").description("list the stored runs").action(act(() => runsCommand(global())));
  program.command("trace <run>").description("each checkpoint of a run, then its result").option("--html <file>", "write a self-contained HTML page").action(act((r: string, o: { html?: string }) => traceCommand(r, o, global())));
  program.command("inspect <checkpoint-file>").description("read one checkpoint file").action(act((f: string) => inspectCommand(f, global())));
  program
    .command("resume <run>")
    .description("go on with a run from its last checkpoint; if the workflow's code changed since, show the plan and go on only with --yes")
    .option("--from <n>", "from checkpoint n instead (starts a new run)")
    .option("--dry-run", "show how the checkpoint maps onto the code loaded now, and stop")
    .option("--yes", "resume on changed code with the plan shown")
    .action(act((r: string, o: ResumeFlags) => resumeCommand(r, o, global())));
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    return failure(error);
  }
  return exitCode;
}

function say(text: string): void {
  process.stderr.write(`${color.red("otf:")} ${text}\n`);
}

function failure(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof UsageError) return say(error.message), EXIT.usage;
  if (error instanceof StoreError) return say(error.message), EXIT.store;
  const name = (error as Error)?.name;
  if (name === "ResumeError" || name === "WorkflowCompileError" || (error as { code?: string })?.code === "ERR_MODULE_NOT_FOUND") return say((error as Error).message), EXIT.workflow;
  say(describeError(error));
  return EXIT.workflow;
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2)).catch(failure);
}
