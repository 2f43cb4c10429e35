// checkResumable: a fast-check property over a user's workflow. Each generated case (arguments,
// outcomes of each task, a random seed) runs straight through twice and resumed at every await,
// and the runs must agree: on the awaits they pass, the tasks they defer and how they end.
import { AssertionError } from "node:assert";
import fc from "fast-check";
import { copy } from "otf/pack";
import type { Workflow } from "otf";
import { awaitFile, UnpackableCheckpoint } from "./checkpoint-errors.ts";
import { inEnvironment, type EnvironmentState } from "./environment.ts";
import { ResumePool } from "./pool.ts";
import { describeCase, describeDivergence, firstDivergence, type Divergence } from "./report.ts";
import { RunLog, runInWorkers, runResumed, runStraight, TooManyAwaits } from "./runs.ts";
import { TaskDriver, type TaskOutcome, type TaskStandIn } from "./tasks.ts";

export interface CheckResumableOptions<A extends unknown[]> {
  /** The workflow's arguments. */
  readonly args: fc.Arbitrary<A>;
  /** By task name: the outcomes its calls get (`succeeds`, `fails`, `timesOut`, `fc.oneof` of them), or a function standing in for it. Tasks not named here run for real. */
  readonly tasks?: Readonly<Record<string, TaskStandIn>>;
  /** Resume each await in a new worker thread, so state kept outside the frame is caught (slower). */
  readonly fresh?: boolean;
  /** Cases to try (default 100, or 10 with `fresh`). */
  readonly numRuns?: number;
  /** fast-check's seed and path, to replay a reported counterexample. */
  readonly seed?: number;
  readonly path?: string;
  /** What Date.now() and `new Date()` give in every run (default 2025-01-01T00:00:00Z). */
  readonly now?: Date | number;
  /** A run that awaits more often than this fails (default 1,000). */
  readonly maxAwaits?: number;
}

/** One generated case. */
export interface ResumableCase<A extends unknown[]> {
  readonly args: A;
  readonly outcomes: Readonly<Record<string, readonly TaskOutcome[]>>;
  readonly randomSeed: number;
}

/** What went wrong in a case; thrown inside the property so fast-check shrinks it. */
export class CaseFailure extends Error {
  override name = "CaseFailure";
  readonly kind: "nondeterministic" | "resume-differs" | "unpackable" | "unpackable-arguments" | "loops";
  readonly divergence: Divergence | undefined;
  constructor(kind: CaseFailure["kind"], message: string, divergence?: Divergence) {
    super(message);
    this.kind = kind;
    this.divergence = divergence;
  }
}

const headlines: Record<CaseFailure["kind"], string> = {
  "nondeterministic": "is nondeterministic: two straight runs of the same case differ (state outside the workflow, such as a module-level variable, or randomness the check does not control)",
  "resume-differs": "does not resume identically: resumed at every await, it does something the straight run does not",
  "unpackable": "has a checkpoint that cannot be stored",
  "unpackable-arguments": "defers a task with arguments that cannot be packed (a scheduler sends them to a worker)",
  "loops": "does not finish",
};

/**
 * Property-tests that `workflow` resumes as it runs: throws an AssertionError that describes
 * the shrunk counterexample, or returns when every case agrees.
 */
export async function checkResumable<A extends unknown[]>(workflow: Workflow<A, unknown>, options: CheckResumableOptions<A>): Promise<void> {
  const definition = workflow.definition;
  if (!workflow.compiled || !definition) {
    throw new AssertionError({ message: `checkResumable: workflow ${workflow.name} was not compiled by the otf transformer (build with tspc, or run the tests with node --import otf/register)` });
  }
  const standIns = options.tasks ?? {};
  const generated = Object.entries(standIns).filter((entry): entry is [string, fc.Arbitrary<TaskOutcome>] => typeof entry[1] !== "function");
  const outcomes = fc.record(Object.fromEntries(generated.map(([name, arbitrary]) => [name, fc.array(arbitrary, { minLength: 1, maxLength: 6 })])));
  const cases = fc.record({ args: options.args, outcomes, randomSeed: fc.integer() }) as fc.Arbitrary<ResumableCase<A>>;
  const now = options.now === undefined ? Date.UTC(2025, 0, 1) : Number(options.now);
  const maxAwaits = options.maxAwaits ?? 1000;
  const file = awaitFile(definition.module, definition.id);
  const pool = options.fresh ? new ResumePool({ size: 2, fresh: true }) : undefined;

  const run = async (c: ResumableCase<A>, way: "straight" | "resumed"): Promise<RunLog> => {
    const log = new RunLog();
    const driver = new TaskDriver(standIns, c.outcomes, log);
    const args = copy(c.args) as unknown[];
    const start: EnvironmentState = { random: c.randomSeed, now };
    await inEnvironment(start, async (environment) => {
      if (way === "straight") await runStraight(definition, args, driver, log, maxAwaits);
      else if (pool) await runInWorkers(workflow as Workflow, args, driver, log, maxAwaits, pool, environment);
      else await runResumed(workflow as Workflow, args, driver, log, maxAwaits);
    });
    return log;
  };

  const checkCase = async (c: ResumableCase<A>): Promise<void> => {
    let straight: RunLog, again: RunLog;
    try {
      straight = await run(c, "straight");
      again = await run(c, "straight");
    } catch (error) {
      if (error instanceof TooManyAwaits) throw new CaseFailure("loops", error.message);
      throw error;
    }
    const twice = firstDivergence(straight, again);
    if (twice) throw new CaseFailure("nondeterministic", describeDivergence(twice, file, "first straight run", "second straight run"), twice);
    const badArguments = straight.events.find((e) => e.kind === "defer" && e.unpackable);
    if (badArguments?.kind === "defer") throw new CaseFailure("unpackable-arguments", `task ${badArguments.task} deferred with ${String(badArguments.args)}: ${badArguments.unpackable}`);
    let resumed: RunLog;
    try {
      resumed = await run(c, "resumed");
    } catch (error) {
      if (error instanceof UnpackableCheckpoint) throw new CaseFailure("unpackable", error.message);
      if (error instanceof TooManyAwaits) throw new CaseFailure("loops", `resumed at every await, ${error.message}`);
      throw error;
    }
    const found = firstDivergence(straight, resumed);
    if (found) throw new CaseFailure("resume-differs", describeDivergence(found, file, "straight", "resumed"), found);
  };

  let details: fc.RunDetails<[ResumableCase<A>]>;
  try {
    details = await fc.check(fc.asyncProperty(cases, checkCase), {
      numRuns: options.numRuns ?? (options.fresh ? 10 : 100),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.path === undefined ? {} : { path: options.path }),
    });
  } finally {
    await pool?.close();
  }
  if (!details.failed) return;
  const error = details.errorInstance;
  const [shrunk] = details.counterexample!;
  const headline = error instanceof CaseFailure ? headlines[error.kind] : "crashed the check";
  const body = error instanceof CaseFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  const message = [
    `checkResumable: workflow ${workflow.name} ${headline}.`,
    "",
    body,
    "",
    describeCase(shrunk),
    "",
    `fast-check: ${details.numRuns} case(s) run, shrunk ${details.numShrinks} time(s); replay with { seed: ${details.seed}, path: ${JSON.stringify(details.counterexamplePath)} }`,
  ].join("\n");
  throw new AssertionError({ message });
}
