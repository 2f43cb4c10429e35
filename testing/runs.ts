// The ways a check runs one case of a workflow, each writing a RunLog (awaits, deferrals, how it
// ended, the locals at each await): straight through with the frame kept in place, as calling
// the workflow does; and resumed at every await from a pack copy, in this thread or a worker's.
import { inspect } from "node:util";
import { drive, settle, settledNow, withExecutor, type CompiledWorkflow, type Executor, type Step, type Suspension, type Workflow } from "otf";
import { copy, decode, dumps, encode, loads } from "otf/pack";
import { unpackable } from "./checkpoint-errors.ts";
import type { InstalledEnvironment } from "./environment.ts";
import type { ResumePool } from "./pool.ts";
import type { Deferral, TaskDriver } from "./tasks.ts";

/** How a run ended, as seen from outside: a value, or an error by name and message. */
export type Observation = { readonly kind: "value"; readonly value: unknown } | { readonly kind: "error"; readonly error: string };

export type RunEvent =
  | { readonly kind: "await"; readonly checkpoint: number; readonly resumePoint: string; readonly line: number; readonly source: string }
  | ({ readonly kind: "defer" } & Deferral)
  | { readonly kind: "end"; readonly outcome: Observation };

/** The frame at one await, as the step after it saw it. */
export interface CheckpointView {
  readonly index: number;
  readonly resumePoint: string;
  readonly line: number;
  readonly source: string;
  /** A copy of the locals, or their printed form when they cannot be copied. */
  readonly locals: unknown;
}

export class RunLog {
  readonly events: RunEvent[] = [];
  readonly checkpoints: CheckpointView[] = [];

  deferred(deferral: Deferral): void {
    this.events.push({ kind: "defer", ...deferral });
  }
  awaited(index: number, point: { key: string; line: number; source: string }, locals: unknown): void {
    this.events.push({ kind: "await", checkpoint: index, resumePoint: point.key, line: point.line, source: point.source });
    this.checkpoints.push({ index, resumePoint: point.key, line: point.line, source: point.source, locals: snapshot(locals) });
  }
  ended(observation: Observation): void {
    this.events.push({ kind: "end", outcome: observation });
  }
}

function snapshot(value: unknown): unknown {
  try {
    return copy(value);
  } catch {
    return inspect(value, { depth: 4, breakLength: Infinity });
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `thrown ${inspect(error)}`;
}

/** A workflow that awaits more often than this is taken to loop. */
export class TooManyAwaits extends Error {
  override name = "TooManyAwaits";
}

function tooMany(maxAwaits: number): TooManyAwaits {
  return new TooManyAwaits(`the workflow did not finish within ${maxAwaits} awaits (does it retry forever on the generated outcomes?)`);
}

function endedStep(step: Step<unknown>): Observation {
  if (step.kind === "completed") return { kind: "value", value: snapshot(step.value) };
  if (step.kind === "failed") return { kind: "error", error: describeError(step.error) };
  throw new Error("the workflow is still suspended");
}

/**
 * Straight through: the compiled step function driven over one frame that is never copied, as
 * calling the workflow does, but with the kit's executor around every step (calling it would
 * leave steps after a real wait to the default executor) and the locals seen at every await.
 */
export async function runStraight(definition: CompiledWorkflow, args: unknown[], driver: Executor, log: RunLog, maxAwaits: number): Promise<void> {
  const onAwait = (n: number, point: { key: string; line: number; source: string }, locals: unknown) => {
    if (n >= maxAwaits) throw tooMany(maxAwaits);
    log.awaited(n, point, locals);
  };
  let result: unknown;
  try {
    result = await drive(definition, args, { executor: driver, onAwait });
  } catch (error) {
    if (error instanceof TooManyAwaits) throw error;
    log.ended({ kind: "error", error: describeError(error) });
    return;
  }
  log.ended({ kind: "value", value: snapshot(result) });
}

/** The suspension through pack and back: the text form at even checkpoints, the binary form at odd ones. */
export function packRoundTrip(suspension: Suspension, index: number): Suspension {
  let packed: string | Uint8Array;
  try {
    packed = index % 2 === 0 ? dumps(suspension) : encode(suspension);
  } catch (error) {
    throw unpackable(suspension, index, error, "encode");
  }
  try {
    return (typeof packed === "string" ? loads(packed) : decode(packed)) as Suspension;
  } catch (error) {
    throw unpackable(suspension, index, error, "decode");
  }
}

function logAwait(log: RunLog, suspension: Suspension, index: number): void {
  log.awaited(index, { key: suspension.resumePoint, line: suspension.line, source: suspension.source }, suspension.locals);
}

/** Resumed at every await in this thread, each time from a pack copy of the suspension. */
export async function runResumed(workflow: Workflow, args: unknown[], driver: TaskDriver, log: RunLog, maxAwaits: number): Promise<void> {
  let step = withExecutor(driver, () => workflow.start(...args));
  for (let n = 0; step.kind === "suspended"; n++) {
    if (n >= maxAwaits) throw tooMany(maxAwaits);
    const outcome = settledNow(step.awaiting) ?? (await settle(step.awaiting));
    const resumed = packRoundTrip(step, n);
    logAwait(log, resumed, n);
    driver.reattach(resumed);
    const sent = settledNow(resumed.awaiting) ?? outcome;
    step = withExecutor(driver, () => resumed.resume(sent));
  }
  log.ended(endedStep(step));
}

/**
 * Resumed at every await in a worker thread of `pool` (a fresh one per resume when the pool is
 * fresh): the worker gets the encoded suspension and this thread's environment, resumes once,
 * and sends back the next step and the futures it deferred, which this thread settles.
 */
export async function runInWorkers(workflow: Workflow, args: unknown[], driver: TaskDriver, log: RunLog, maxAwaits: number, pool: ResumePool, environment: InstalledEnvironment): Promise<void> {
  const module = workflow.definition!.module;
  let step = withExecutor(driver, () => workflow.start(...args));
  for (let n = 0; step.kind === "suspended"; n++) {
    if (n >= maxAwaits) throw tooMany(maxAwaits);
    const outcome = settledNow(step.awaiting) ?? (await settle(step.awaiting));
    let suspension: Uint8Array;
    try {
      suspension = encode(step);
    } catch (error) {
      throw unpackable(step, n, error, "encode");
    }
    logAwait(log, step, n);
    const reply = await pool.resume({ module, suspension, outcome: encode(outcome), recordDeferred: true, environment: environment.state() });
    environment.continueFrom(reply.environment!);
    for (const future of reply.deferred) driver.submit(future);
    driver.reattach(reply.step);
    step = reply.step;
  }
  log.ended(endedStep(step));
}
