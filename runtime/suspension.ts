// Suspensions: a workflow stopped at an await, as plain data (workflow identity, resume point,
// locals, temps, pending finally completions, what it awaits). Resuming never mutates one.
import { copy, PackError } from "../pack/index.ts";
import { ResumeError, SnapshotError } from "./errors.ts";
import { newFrame, type Completion, type Frame, type ResumePoint } from "./frame.ts";
import type { Outcome } from "./outcome.ts";
import { carry, describePlan, planResume, remapCompletions, samePlan, type ResumePlan } from "./plan.ts";
import { loadedWorkflow, loadedWorkflowIds, runStep, type CompiledWorkflow, type Step } from "./workflow.ts";

/** The fields a suspension is stored as. */
export interface SuspensionRecord {
  readonly workflow: string;
  readonly hash: string;
  readonly resumePoint: string;
  readonly line: number;
  readonly source: string;
  readonly locals: Record<string, unknown>;
  readonly temps: Record<string, unknown>;
  readonly completions: Record<number, Completion>;
  readonly awaiting: unknown;
  /** What the temps hold and which finally blocks are running: how the frame maps onto edited code. */
  readonly shape: FrameShape;
}

export interface FrameShape {
  /**
   * The locals the code reads after this await. Others in `locals` are leftovers (a block's
   * variable from an earlier iteration) that a reader of the snapshot can skip.
   */
  readonly live?: readonly string[];
  readonly temps: readonly string[];
  readonly finallies: readonly number[];
}

export interface ResumeOptions {
  /** When the workflow's code changed since the snapshot: a plan from `planResume`, accepted. */
  readonly plan?: ResumePlan;
}

/**
 * One deep copy of everything the resumed frame owns, the outcome included, so sharing is kept:
 * `await x` where x is also a local gives back that same local. An outcome pack cannot copy
 * (a value only this process has) is handed over as it is.
 */
function ownedFrame(record: SuspensionRecord, outcome: Outcome) {
  const frame = { locals: record.locals, temps: record.temps, completions: record.completions, awaiting: record.awaiting };
  try {
    return copy({ ...frame, outcome });
  } catch (error) {
    if (!(error instanceof PackError) || !String(error.path ?? "").startsWith("$.outcome")) throw explainSnapshotFailure(error, record);
    try {
      return { ...copy(frame), outcome };
    } catch (again) {
      throw explainSnapshotFailure(again, record);
    }
  }
}

/**
 * A PackError met while storing or copying a suspension, told in the workflow's terms: which
 * local (or held value) is not serializable, and across which await. Other errors pass through.
 */
export function explainSnapshotFailure(error: unknown, suspension: SuspensionRecord | Suspension): unknown {
  if (!(error instanceof PackError) || error.path === undefined) return error;
  const record = suspension instanceof Suspension ? suspension.record : suspension;
  // Paths are relative to the suspension, wherever it sat in what was being packed.
  const path = error.path.replace(/^.*@otf\.Suspension/, "$");
  const local = /(?:^|\.)locals\.([^.[@]+)/.exec(path)?.[1];
  const what = local ? `local \`${local}\`` : /(?:^|\.)temps\./.test(path) ? "a value held while awaiting" : /(?:^|\.)awaiting/.test(path) ? "the awaited value" : "a value";
  const reason = error.message.replace(/ \(at [^)]*\)$/, "");
  const message = `cannot snapshot workflow ${record.workflow} at the await \`${record.resumePoint}\` (line ${record.line}): ${what} is not serializable: ${reason} (at ${path})`;
  return new SnapshotError(message, local, path, error);
}

export class Suspension {
  readonly kind = "suspended" as const;
  readonly record: SuspensionRecord;

  constructor(definition: CompiledWorkflow, frame: Frame);
  constructor(record: SuspensionRecord);
  constructor(source: CompiledWorkflow | SuspensionRecord, frame?: Frame) {
    if (frame === undefined) {
      this.record = source as SuspensionRecord;
      return;
    }
    const definition = source as CompiledWorkflow;
    const point = definition.points.find((p) => p.state === frame.pc);
    if (!point) throw new ResumeError("no-resume-point", `workflow ${definition.id} stopped in state ${frame.pc}, which is not after an await`);
    this.record = {
      workflow: definition.id,
      hash: definition.hash,
      resumePoint: point.key,
      line: point.line,
      source: point.source,
      locals: frame.locals,
      temps: frame.temps,
      completions: frame.completions,
      awaiting: frame.awaiting,
      shape: { live: point.locals, temps: point.temps, finallies: point.finallies },
    };
  }

  get workflowId(): string {
    return this.record.workflow;
  }
  get hash(): string {
    return this.record.hash;
  }
  get resumePoint(): string {
    return this.record.resumePoint;
  }
  get line(): number {
    return this.record.line;
  }
  get source(): string {
    return this.record.source;
  }
  /** The locals the workflow reads after this await (all of them when the snapshot does not say). */
  get liveLocals(): Readonly<Record<string, unknown>> {
    const live = this.record.shape?.live;
    if (!live) return this.record.locals;
    return Object.fromEntries(Object.entries(this.record.locals).filter(([name]) => live.includes(name)));
  }
  get locals(): Readonly<Record<string, unknown>> {
    return this.record.locals;
  }
  get awaiting(): unknown {
    return this.record.awaiting;
  }

  /** How this snapshot maps onto the workflow's code loaded now (the same code: the identity plan). */
  planResume(): ResumePlan {
    return planResume(this.record, this.loadedDefinition());
  }

  /**
   * Throws the ResumeError `resume(outcome, options)` would throw, without running anything: for a
   * caller that must refuse before it writes or starts anything (the scheduler). Stricter than
   * `resume` on unchanged code: a snapshot that lacks a local its own code reads (edited by hand)
   * is refused too.
   */
  check(options: ResumeOptions = {}): void {
    const definition = this.loadedDefinition();
    if (definition.hash === this.record.hash) {
      const plan = planResume(this.record, definition);
      if (plan.problems.length) throw new ResumeError("plan-has-problems", describePlan(plan));
    }
    this.target(definition, options);
  }

  /**
   * Runs the workflow from this await with its outcome, to the next suspension or the end.
   * If the workflow's code changed since the snapshot, pass `{ plan }` from `planResume()`:
   * without it, or if the plan has problems, this throws and nothing runs.
   */
  resume(outcome: Outcome, options: ResumeOptions = {}): Step<unknown> {
    const definition = this.loadedDefinition();
    const { plan, point } = this.target(definition, options);
    const owned = ownedFrame(this.record, outcome);
    const frame = newFrame([]);
    frame.args = undefined;
    frame.locals = plan ? carry(owned.locals, plan.carried) : owned.locals;
    frame.temps = owned.temps;
    frame.completions = plan ? remapCompletions(owned.completions, this.record.shape.finallies, point.finallies) : owned.completions;
    frame.pc = point.state;
    frame.sent = owned.outcome;
    return runStep(definition, frame);
  }

  /** Where in `definition` this snapshot resumes, under `options.plan` when the code changed. */
  private target(definition: CompiledWorkflow, options: ResumeOptions): { plan: ResumePlan | undefined; point: ResumePoint } {
    const plan = definition.hash === this.record.hash ? undefined : options.plan;
    if (definition.hash !== this.record.hash) {
      if (!plan) {
        throw new ResumeError("code-changed", `workflow ${this.record.workflow} changed since this snapshot was taken (hash ${this.record.hash} → ${definition.hash}); review suspension.planResume() and pass it as resume(outcome, { plan })\n${describePlan(planResume(this.record, definition))}`);
      }
      if (plan.workflow !== this.record.workflow || plan.from.hash !== this.record.hash || plan.from.resumePoint !== this.record.resumePoint) {
        throw new ResumeError("plan-mismatch", "the plan passed to resume() was made for another snapshot");
      }
      if (plan.problems.length) throw new ResumeError("plan-has-problems", describePlan(plan));
      if (plan.to?.hash !== definition.hash) throw new ResumeError("plan-mismatch", "the plan passed to resume() was made for another version of the code");
      // A plan accepted for one snapshot may not fit another at the same await (one lacking a local).
      const fits = planResume(this.record, definition);
      if (!samePlan(plan, fits)) throw new ResumeError("plan-mismatch", `the plan passed to resume() does not fit this snapshot; its own plan is:\n${describePlan(fits)}`);
    }
    const key = plan?.to?.resumePoint ?? this.record.resumePoint;
    const point = definition.points.find((p) => p.key === key);
    if (!point) throw new ResumeError("unknown-resume-point", `workflow ${this.record.workflow} has no resume point ${key}\n${describePlan(planResume(this.record, definition))}`);
    return { plan, point };
  }

  private loadedDefinition(): CompiledWorkflow {
    const definition = loadedWorkflow(this.record.workflow);
    if (!definition) {
      const module = this.record.workflow.slice(0, this.record.workflow.lastIndexOf("#"));
      const siblings = loadedWorkflowIds().filter((id) => id.startsWith(`${module}#`));
      const hint = siblings.length ? `; workflows of ${module} loaded now: ${siblings.join(", ")} (renamed?)` : ": import its module before resuming";
      throw new ResumeError("workflow-not-loaded", `workflow ${this.record.workflow} is not loaded in this process${hint}`);
    }
    return definition;
  }
}
