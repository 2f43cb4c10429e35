// The `otf` command: run, list, trace, inspect and resume workflows in a directory store, or on a
// PostgreSQL database (`--db`), where `otf worker` processes run them. Exit codes: 0 done, 1 the workflow failed, 2 bad usage, 3 store problem, 4 workflow cannot load or
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
import type { PostgresBackend } from "./postgres/backend.ts";
import { progressReporter } from "./progress.ts";
import { Scheduler, type ResumeOptions } from "./scheduler.ts";
import type { CheckpointRecord, FinishRecord, RunProblem, RunRecord, Store } from "./store.ts";
import { readTrace, type Checkpoint, type Trace } from "./trace.ts";

export const EXIT = { ok: 0, workflowFailed: 1, usage: 2, store: 3, workflow: 4, confirm: 5 } as const;

const color = createColors(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);

class UsageError extends Error {}
/** The database cannot be reached: a store problem (exit 3), said without a stack. */
class Unreachable extends Error {}

interface Global {
  store: string;
  db?: string;
  schema: string;
  json?: boolean;
}

/**
 * Where a command's runs are: the directory store (runs driven in this process), or a database
 * (runs driven by `otf worker` processes). Every command goes through this, whichever it is.
 */
interface Place {
  readonly store: Store;
  /** Starts the run; with `wait`, its trace once it has ended. */
  run(workflow: Workflow, args: unknown[], wait: boolean): Promise<{ runId: string; trace?: Trace }>;
  planResume(runId: string, options: Pick<ResumeOptions, "from">): Promise<ResumePlan | undefined>;
  /** Goes on with the run and gives its trace once it has ended. */
  resume(runId: string, options: ResumeOptions): Promise<Trace>;
  close(): Promise<void>;
}

function databaseUrl(global: Global): string | undefined {
  return global.db ?? (process.env.OTF_DATABASE_URL || undefined);
}

async function connect(url: string, global: Global, worker: boolean): Promise<PostgresBackend> {
  const { PostgresBackend } = await import("./postgres/backend.ts");
  const onError = worker ? (error: Error) => process.stderr.write(`${color.dim(`otf worker: ${error.message}`)}\n`) : undefined;
  try {
    return await PostgresBackend.connect(url, { schema: global.schema, connections: worker ? 8 : 2, supervise: worker, ...(onError ? { onError } : {}) });
  } catch (error) {
    const { redact } = await import("./postgres/store.ts");
    throw new Unreachable(`cannot use the database ${redact(url)} (schema ${global.schema}): ${(error as Error).message}`, { cause: error });
  }
}

async function openPlace(global: Global): Promise<Place> {
  const url = databaseUrl(global);
  if (!url) {
    const scheduler = new Scheduler({ store: global.store, onProgress: progressReporter(color) });
    return {
      store: scheduler.store,
      run: async (workflow, args) => {
        const trace = await scheduler.run(workflow, ...args);
        return { runId: trace.runId, trace };
      },
      planResume: (runId, options) => scheduler.planResume(runId, options),
      resume: (runId, options) => scheduler.resume(runId, options),
      close: () => scheduler.close(),
    };
  }
  const backend = await connect(url, global, false);
  return {
    store: backend.store,
    run: async (workflow, args, wait) => {
      const runId = await backend.start(workflow, ...args);
      if (!wait) return { runId };
      process.stderr.write(`${color.dim(`started run ${runId}; otf worker processes on ${backend.store.location} run it`)}\n`);
      return { runId, trace: await backend.wait(runId) };
    },
    planResume: (runId, options) => backend.planResume(runId, options),
    resume: async (runId, options) => backend.wait(await backend.resume(runId, options)),
    close: () => backend.close(),
  };
}

async function withPlace(global: Global, work: (place: Place) => Promise<number>): Promise<number> {
  const place = await openPlace(global);
  try {
    return await work(place);
  } finally {
    await place.close();
  }
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

async function runCommand(file: string, name: string, argTexts: string[], options: { wait: boolean }, global: Global): Promise<number> {
  const args = parseArgs(argTexts);
  const module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  const workflow = module[name] as Workflow | undefined;
  if (typeof workflow !== "function" || !("start" in workflow)) {
    const found = Object.entries(module).filter(([, v]) => typeof v === "function" && "start" in v).map(([k]) => k);
    throw new UsageError(`${file} exports no workflow named ${name}${found.length ? ` (it exports: ${found.join(", ")})` : ""}`);
  }
  if (!options.wait && !databaseUrl(global)) throw new UsageError("--no-wait needs --db: a run in the directory store is driven by this process");
  return withPlace(global, async (place) => {
    const { runId, trace } = await place.run(workflow, args, options.wait);
    if (trace) return reportTrace(trace, global.json);
    print(global.json, { runId }, () => `${runId}\n`);
    return EXIT.ok;
  });
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
  return withPlace(global, async (place) => {
    const at = from === undefined ? {} : { from };
    const plan = await place.planResume(runId, at);
    const checkpoint = from ?? (await place.store.checkpointCount(runId)) - 1;
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
    const trace = await place.resume(runId, changed ? { ...at, plan } : at);
    return reportTrace(trace, global.json, changed ? plan : undefined);
  });
}

async function runsCommand(global: Global): Promise<number> {
  return withPlace(global, async ({ store }) => {
    const runs = await store.listRuns();
    print(global.json, runs, () => {
      if (!runs.length) return `no runs in ${store instanceof DirectoryStore ? resolve(store.location) : store.location}\n`;
    const paint = { completed: color.green, failed: color.red, unfinished: color.yellow };
      return runs
        .map((r) => (r.problem ? `${r.id}  ${color.red("problem")}  ${r.problem}` : `${r.id}  ${paint[r.status](r.status.padEnd(10))}  ${String(r.checkpoints).padStart(6)} checkpoints  ${r.workflow}`))
        .join("\n")
        .concat("\n");
    });
    return EXIT.ok;
  });
}

function checkpointText(run: RunRecord, c: Checkpoint): string {
  const s = c.suspension;
  const source = sourceAround(run.module, s.line)
    .map((l) => (l.marked ? color.bold(color.yellow(`> ${String(l.number).padStart(4)} │ ${l.text}`)) : color.dim(`  ${String(l.number).padStart(4)} │ ${l.text}`)))
    .join("\n");
  // The locals the code reads after the await; the frame's leftovers (a block's variable from an
  // earlier iteration) are only named, so they are not mistaken for the current state.
  const live = s.liveLocals;
  const locals = Object.entries(live).map(([k, v]) => `    ${color.cyan(k)} = ${show(v)}`);
  const leftovers = Object.keys(s.locals).filter((k) => !(k in live));
  return [
    color.bold(`checkpoint ${c.index}`) + color.dim(`  ${c.at.toISOString()}  line ${s.line}  ${s.resumePoint}`),
    source || `  ${s.source}`,
    "  locals:",
    ...(locals.length ? locals : ["    (none)"]),
    ...(leftovers.length ? [color.dim(`    (not read after this await: ${leftovers.join(", ")})`)] : []),
    `  awaited ${describeAwaited(c.awaiting)} → ${describeOutcome(c.outcome)}`,
    "",
  ].join("\n");
}

function finishText(finish: FinishRecord | undefined, problem: RunProblem | undefined, runId: string): string {
  if (problem) return `${color.red("problem")} ${problem.message}\n(otf resume ${runId} clears it and goes on, once the cause is fixed)\n`;
  if (!finish) return `${color.yellow("unfinished")}: resume it with otf resume ${runId}\n`;
  return finish.outcome.kind === "value" ? `${color.green("result")} ${show(finish.outcome.value, 10_000)}\n` : `${color.red("failed")} ${describeError(finish.outcome.error)}\n`;
}

async function traceCommand(runId: string, options: { html?: string }, global: Global): Promise<number> {
  return withPlace(global, async ({ store }) => {
    const { run, checkpoints, finish } = await readTrace(store, runId);
    const problem = await store.readProblem?.(runId);
    if (options.html) {
      writeFileSync(options.html, traceHtml(run, checkpoints, finish));
      if (!global.json) process.stderr.write(`wrote ${options.html}\n`);
    }
    const json = { run, checkpoints: checkpoints.map((c) => ({ index: c.index, at: c.at, resumedAt: c.resumedAt, resumePoint: c.suspension.resumePoint, line: c.suspension.line, source: c.suspension.source, locals: c.suspension.locals, awaiting: c.awaiting, outcome: c.outcome })), finish, ...(problem ? { problem } : {}) };
    if (options.html && !global.json) return EXIT.ok;
    print(global.json, json, () => `run ${run.id}  ${run.workflow}\n\n${checkpoints.map((c) => checkpointText(run, c)).join("\n")}\n${finishText(finish, problem, run.id)}`);
    return EXIT.ok;
  });
}

/** A checkpoint file, or with `--db`, checkpoint `index` of a run: the same record, shown the same way. */
async function inspectCommand(where: string, index: string | undefined, global: Global): Promise<number> {
  if (databaseUrl(global) === undefined) {
    if (index !== undefined) throw new UsageError(`otf inspect takes a checkpoint file (or, with --db, a run and a checkpoint number), not ${where} ${index}`);
    return showCheckpoint(await DirectoryStore.readCheckpointFile(resolve(where)), global);
  }
  const number = Number(index);
  if (index === undefined || !Number.isInteger(number) || number < 0) throw new UsageError(`with --db, otf inspect takes a run and a checkpoint number: otf inspect --db … ${where} 0`);
  return withPlace(global, async ({ store }) => showCheckpoint(await store.readCheckpoint(where, number), global));
}

function showCheckpoint(record: CheckpointRecord, global: Global): number {
  print(global.json, record, () => `checkpoint ${record.index} of run ${record.run}, ${new Date(record.at).toISOString()}\n${record.suspension.workflowId} line ${record.suspension.line}: ${record.suspension.source}\n\n${dumps(record.suspension, { indent: 2 })}\n`);
  return EXIT.ok;
}

/** Takes steps and tasks from the database until SIGINT or SIGTERM, then finishes what it holds and stops. */
interface WorkerFlags {
  steps?: string;
  tasks?: string;
  keep?: string;
  claimSeconds?: string;
  import?: string[];
}

async function workerCommand(options: WorkerFlags, global: Global): Promise<number> {
  const url = databaseUrl(global);
  if (!url) throw new UsageError("otf worker takes its work from a database: pass --db postgres://… or set OTF_DATABASE_URL");
  const steps = countOption(options.steps, "--steps");
  const tasks = countOption(options.tasks, "--tasks");
  const keep = countOption(options.keep, "--keep");
  const claimSeconds = countOption(options.claimSeconds, "--claim-seconds");
  // Modules a worker should hold before its first step (classes registered with pack, say); each
  // run's own workflow module is imported by the first step that needs it.
  for (const file of options.import ?? []) await import(pathToFileURL(resolve(file)).href);
  const backend = await connect(url, global, true);
  // A signal may come twice (from the terminal and through the launcher): the first one stops the worker.
  const stopped = new Promise<string>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => resolve(signal));
  });
  try {
    await backend.work({ ...(steps === undefined ? {} : { steps }), ...(tasks === undefined ? {} : { tasks }), ...(keep === undefined ? {} : { keep }), ...(claimSeconds === undefined ? {} : { claimSeconds }) });
    process.stderr.write(`otf worker: taking steps and tasks from ${backend.store.location}; stop with Ctrl-C\n`);
    process.stderr.write(`otf worker: ${await stopped}: stopping\n`);
  } finally {
    await backend.close();
  }
  return EXIT.ok;
}

function countOption(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} takes a whole number ≥ 1, not ${text}`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("otf")
    .description("Run durable otf workflows, and read their checkpoints.")
    .option("--store <dir>", "where runs are kept", ".otf")
    .option("--db <url>", "keep runs in this PostgreSQL database instead, run by otf worker processes (default: $OTF_DATABASE_URL)")
    .option("--schema <name>", "with --db: the schema of otf's tables", "otf")
    .option("--json", "machine-readable output")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(color.red(text)) });
  const global = () => program.opts<Global>();
  const act =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A): Promise<void> => {
      exitCode = await fn(...args);
    };
  program
    .command("run <file> <export> [args...]")
    .description("run the workflow exported as <export> from <file>, each arg as JSON")
    .option("--no-wait", "with --db: print the run's id once it is started, and return")
    .action(act((f: string, e: string, a: string[], o: { wait: boolean }) => runCommand(f, e, a, o, global())));
  program.command("runs").description("list the stored runs").action(act(() => runsCommand(global())));
  program.command("trace <run>").description("each checkpoint of a run, then its result").option("--html <file>", "write a self-contained HTML page").action(act((r: string, o: { html?: string }) => traceCommand(r, o, global())));
  program.command("inspect <checkpoint> [index]").description("read one checkpoint: a file, or with --db a run and a checkpoint number").action(act((c: string, i: string | undefined) => inspectCommand(c, i, global())));
  program
    .command("resume <run>")
    .description("go on with a run from its last checkpoint; if the workflow's code changed since, show the plan and go on only with --yes")
    .option("--from <n>", "from checkpoint n instead (starts a new run)")
    .option("--dry-run", "show how the checkpoint maps onto the code loaded now, and stop")
    .option("--yes", "resume on changed code with the plan shown")
    .action(act((r: string, o: ResumeFlags) => resumeCommand(r, o, global())));
  program
    .command("worker")
    .description("with --db: take workflow steps and tasks from the database until stopped (SIGINT, SIGTERM)")
    .option("--steps <n>", "workflow steps at once (default 4)")
    .option("--tasks <n>", "tasks at once, each in a thread (default: one per core)")
    .option("--keep <n>", "tasks deferred by this worker's steps that it keeps to run itself; more go to any worker (default: 8 per thread)")
    .option("--claim-seconds <n>", "if this worker dies, the tasks it kept go to others after this long (default 30)")
    .option("--import <module...>", "import these modules before working")
    .action(act((o: WorkerFlags) => workerCommand(o, global())));
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
  if (error instanceof StoreError || error instanceof Unreachable) return say(error.message), EXIT.store;
  const name = (error as Error)?.name;
  if (name === "ResumeError" || name === "WorkflowCompileError" || (error as { code?: string })?.code === "ERR_MODULE_NOT_FOUND") return say((error as Error).message), EXIT.workflow;
  say(describeError(error));
  return EXIT.workflow;
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2)).catch(failure);
}
