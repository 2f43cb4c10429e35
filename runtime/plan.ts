// Edit and resume: how a snapshot taken with one version of a workflow maps onto the version
// loaded now. A matching resume-point key resumes there; locals are carried by name; what cannot
// be mapped is a problem listed in the plan, and a plan with problems never runs.
import type { CompiledWorkflow } from "./workflow.ts";
import type { Completion } from "./frame.ts";
import type { SuspensionRecord } from "./suspension.ts";

export interface PlannedPoint {
  readonly hash: string;
  readonly resumePoint: string;
  readonly line: number;
  readonly source: string;
}

export interface ResumePlan {
  readonly workflow: string;
  readonly from: PlannedPoint;
  /** Where the workflow resumes in the code loaded now; undefined when its await is gone. */
  readonly to: PlannedPoint | undefined;
  /** Locals kept: live at the new resume point and present in the snapshot. */
  readonly carried: readonly string[];
  /** Locals of the snapshot the new code does not use at that point. */
  readonly dropped: readonly string[];
  /** Locals the new code uses at that point that the snapshot does not have. */
  readonly missing: readonly string[];
  /** Resume points of the code loaded now, when the snapshot's is gone. */
  readonly candidates: readonly PlannedPoint[];
  /** Why it cannot resume; empty when it can. */
  readonly problems: readonly string[];
}

export function planResume(record: SuspensionRecord, definition: CompiledWorkflow): ResumePlan {
  const from: PlannedPoint = { hash: record.hash, resumePoint: record.resumePoint, line: record.line, source: record.source };
  const point = definition.points.find((p) => p.key === record.resumePoint);
  const problems: string[] = [];
  const present = Object.keys(record.locals);
  if (!point) {
    problems.push(`the await \`${record.resumePoint}\` (line ${record.line}) no longer exists in ${definition.id}`);
    const candidates = definition.points.map((p) => ({ hash: definition.hash, resumePoint: p.key, line: p.line, source: p.source }));
    return { workflow: record.workflow, from, to: undefined, carried: [], dropped: present, missing: [], candidates, problems };
  }
  const to: PlannedPoint = { hash: definition.hash, resumePoint: point.key, line: point.line, source: point.source };
  const carried = point.locals.filter((k) => k in record.locals);
  const missing = point.locals.filter((k) => !(k in record.locals));
  const dropped = present.filter((k) => !point.locals.includes(k));
  if (missing.length) problems.push(`the new code reads ${missing.map((k) => `\`${k}\``).join(", ")} after this await, and the snapshot has no value for ${missing.length === 1 ? "it" : "them"}`);
  const oldTemps = record.shape.temps;
  if (oldTemps.length !== point.temps.length || oldTemps.some((t, i) => t !== point.temps[i])) {
    problems.push(`the code around the await changed what it holds while awaiting: [${oldTemps.join("; ")}] then, [${point.temps.join("; ")}] now`);
  }
  const pending = Object.keys(record.completions).length;
  if (pending && record.shape.finallies.length !== point.finallies.length) {
    problems.push(`the await is inside ${record.shape.finallies.length} finally block(s) in the snapshot and ${point.finallies.length} now`);
  }
  return { workflow: record.workflow, from, to, carried, dropped, missing, candidates: [], problems };
}

/** The plan as a person reads it: old await and line → new await and line, locals, problems. */
export function describePlan(plan: ResumePlan): string {
  const lines = [`resume ${plan.workflow}`, `  from line ${plan.from.line}: ${plan.from.source}   [${plan.from.resumePoint}]`];
  if (plan.to) lines.push(`  to   line ${plan.to.line}: ${plan.to.source}   [${plan.to.resumePoint}]`);
  else lines.push("  to   (no matching await)");
  if (plan.carried.length) lines.push(`  locals carried: ${plan.carried.join(", ")}`);
  if (plan.dropped.length) lines.push(`  locals dropped: ${plan.dropped.join(", ")}`);
  if (plan.missing.length) lines.push(`  locals missing: ${plan.missing.join(", ")}`);
  for (const p of plan.problems) lines.push(`  problem: ${p}`);
  if (plan.candidates.length) {
    lines.push("  resume points in the code loaded now:");
    for (const c of plan.candidates) lines.push(`    line ${c.line}: ${c.source}   [${c.resumePoint}]`);
  }
  return lines.join("\n");
}

/** Whether two plans do the same: the same await in the same code, the same locals carried, dropped and missing. */
export function samePlan(a: ResumePlan, b: ResumePlan): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((k, i) => k === y[i]);
  return a.to?.hash === b.to?.hash && a.to?.resumePoint === b.to?.resumePoint && same(a.carried, b.carried) && same(a.dropped, b.dropped) && same(a.missing, b.missing) && same(a.problems, b.problems);
}

/**
 * Keeps only `keys` of the frame's (owned) locals, in place: a lifted closure's environment may be
 * that very object, and it must go on sharing the frame's locals after the resume.
 */
export function carry(locals: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  for (const k of Object.keys(locals)) if (!keys.includes(k)) delete locals[k];
  return locals;
}

/** Pending finally completions move with their finally blocks, innermost to innermost. */
export function remapCompletions(completions: Record<number, Completion>, before: readonly number[], after: readonly number[]): Record<number, Completion> {
  const remapped: Record<number, Completion> = {};
  before.forEach((region, i) => {
    const completion = completions[region];
    if (completion !== undefined) remapped[after[i]!] = completion;
  });
  return remapped;
}
