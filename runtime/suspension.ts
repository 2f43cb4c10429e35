// Suspensions: a workflow stopped at an await, as plain data (workflow identity, resume point,
// locals, temps, pending finally completions, what it awaits). Resuming never mutates one.
import { copy } from "../pack/index.ts";
import { ResumeError } from "./errors.ts";
import { newFrame, type Completion, type Frame } from "./frame.ts";
import type { Outcome } from "./outcome.ts";
import { loadedWorkflow, runStep, type CompiledWorkflow, type Step } from "./workflow.ts";

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
  get locals(): Readonly<Record<string, unknown>> {
    return this.record.locals;
  }
  get awaiting(): unknown {
    return this.record.awaiting;
  }

  /** Runs the workflow from this await with its outcome, to the next suspension or the end. */
  resume(outcome: Outcome): Step<unknown> {
    const definition = loadedWorkflow(this.record.workflow);
    if (!definition) {
      throw new ResumeError("workflow-not-loaded", `workflow ${this.record.workflow} is not loaded in this process: import its module before resuming`);
    }
    if (definition.hash !== this.record.hash) {
      throw new ResumeError(
        "code-changed",
        `workflow ${this.record.workflow} changed since this snapshot was taken (hash ${this.record.hash} → ${definition.hash})`,
      );
    }
    const point = definition.points.find((p) => p.key === this.record.resumePoint);
    if (!point) throw new ResumeError("unknown-resume-point", `workflow ${this.record.workflow} has no resume point ${this.record.resumePoint}`);
    // One deep copy of everything the frame owns, so sharing between locals, temps and completions is kept.
    const owned = copy({ locals: this.record.locals, temps: this.record.temps, completions: this.record.completions });
    const frame = newFrame([]);
    frame.args = undefined;
    frame.locals = owned.locals;
    frame.temps = owned.temps;
    frame.completions = owned.completions;
    frame.pc = point.state;
    frame.sent = outcome;
    return runStep(definition, frame);
  }
}
