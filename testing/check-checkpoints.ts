// checkCheckpoints: can the code loaded now resume every checkpoint stored for a workflow? Reads
// pack files (a folder of golden checkpoints, or a scheduler store, whose checkpoint records wrap
// a suspension) and reports for each: resumes as is, maps onto the edited code, or cannot resume.
import { AssertionError } from "node:assert";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describePlan, Suspension, type PlannedPoint, type ResumePlan, type Workflow } from "otf";
import { decode, loads } from "otf/pack";

export type CheckpointStatus =
  /** The workflow's code is the code the checkpoint was taken with. */
  | "resumes"
  /** The code changed, and the edit-and-resume plan maps the checkpoint onto it without problems. */
  | "maps"
  /** The code changed so that this checkpoint cannot resume: see `problems`. */
  | "cannot-resume"
  /** The file does not unpack (corrupt, or a class or task it names is not loaded). */
  | "unreadable";

export interface CheckpointReport {
  /** The file, relative to the folder checked. */
  readonly file: string;
  readonly status: CheckpointStatus;
  /** Where the checkpoint stopped (absent when unreadable). */
  readonly from?: PlannedPoint;
  /** Where it resumes in the code loaded now. */
  readonly to?: PlannedPoint;
  readonly carried: readonly string[];
  readonly dropped: readonly string[];
  readonly missing: readonly string[];
  /** Why it cannot resume (or cannot be read). */
  readonly problems: readonly string[];
  /** The plan as a person reads it, or the error. */
  readonly description: string;
}

export interface CheckpointsReport {
  readonly directory: string;
  readonly workflow: string;
  readonly checkpoints: readonly CheckpointReport[];
  /** Files of the folder that hold no checkpoint of this workflow (other workflows, a store's other records). */
  readonly skipped: readonly string[];
  /** True when every checkpoint resumes or maps. */
  readonly ok: boolean;
  /** One line per checkpoint, then the details of those that cannot resume. */
  toString(): string;
}

async function packFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".pack")).map((e) => join(e.parentPath, e.name)).sort();
}

/** The suspension a stored value holds: itself, or a checkpoint record's `suspension`. */
function suspensionIn(value: unknown): Suspension | undefined {
  if (value instanceof Suspension) return value;
  const held = typeof value === "object" && value !== null ? (value as { suspension?: unknown }).suspension : undefined;
  return held instanceof Suspension ? held : undefined;
}

async function unpack(path: string): Promise<unknown> {
  const bytes = await readFile(path);
  // The text form starts with its header, `pack/<version>`; anything else is read as the binary form.
  const text = bytes.toString("utf8");
  return text.startsWith("pack/") ? loads(text) : decode(new Uint8Array(bytes));
}

function reportOf(file: string, suspension: Suspension, plan: ResumePlan, sameCode: boolean): CheckpointReport {
  const status: CheckpointStatus = sameCode ? "resumes" : plan.problems.length ? "cannot-resume" : "maps";
  const base = { file, status, from: plan.from, carried: plan.carried, dropped: plan.dropped, missing: plan.missing, problems: plan.problems, description: describePlan(plan) };
  return plan.to ? { ...base, to: plan.to } : base;
}

function line(report: CheckpointReport): string {
  if (report.status === "unreadable") return `  ${report.file}: cannot be read: ${report.problems[0]}`;
  const from = `line ${report.from!.line} \`${report.from!.source}\``;
  if (report.status === "resumes") return `  ${report.file}: ${from}: resumes as is (same code)`;
  if (report.status === "maps") {
    const moved = report.to!.line === report.from!.line ? "" : ` → line ${report.to!.line}`;
    const locals = [report.carried.length && `carried ${report.carried.join(", ")}`, report.dropped.length && `dropped ${report.dropped.join(", ")}`].filter(Boolean).join("; ");
    return `  ${report.file}: ${from}${moved}: maps onto the edited code${locals ? ` (${locals})` : ""}`;
  }
  return `  ${report.file}: ${from}: cannot resume: ${report.problems.join("; ")}`;
}

/** Checks every checkpoint of `workflow` stored under `directory` (searched recursively for `.pack` files). */
export async function checkCheckpoints(directory: string, workflow: Workflow<never[], unknown> | Workflow): Promise<CheckpointsReport> {
  const definition = workflow.definition;
  if (!definition) throw new Error(`checkCheckpoints: workflow ${workflow.name} was not compiled by the otf transformer`);
  const checkpoints: CheckpointReport[] = [];
  const skipped: string[] = [];
  for (const path of await packFiles(directory)) {
    const file = relative(directory, path);
    let suspension: Suspension | undefined;
    try {
      suspension = suspensionIn(await unpack(path));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      checkpoints.push({ file, status: "unreadable", carried: [], dropped: [], missing: [], problems: [message], description: message });
      continue;
    }
    if (!suspension || suspension.workflowId !== definition.id) {
      skipped.push(file);
      continue;
    }
    checkpoints.push(reportOf(file, suspension, suspension.planResume(), suspension.hash === definition.hash));
  }
  const ok = checkpoints.every((c) => c.status === "resumes" || c.status === "maps");
  return {
    directory,
    workflow: definition.id,
    checkpoints,
    skipped,
    ok,
    toString() {
      const counts = (["resumes", "maps", "cannot-resume", "unreadable"] as const).map((s) => `${checkpoints.filter((c) => c.status === s).length} ${s}`).join(", ");
      const details = checkpoints.filter((c) => c.status === "cannot-resume").map((c) => `${c.file}:\n${c.description}`);
      return [`checkpoints of ${definition.id} in ${directory}: ${counts}`, ...checkpoints.map(line), ...(details.length ? ["", ...details] : [])].join("\n");
    },
  };
}

/** checkCheckpoints, throwing an AssertionError with the report when a checkpoint cannot resume. */
export async function assertCheckpoints(directory: string, workflow: Workflow<never[], unknown> | Workflow): Promise<CheckpointsReport> {
  const report = await checkCheckpoints(directory, workflow);
  if (!report.ok) throw new AssertionError({ message: `stored checkpoints that the current code cannot resume:\n${report.toString()}` });
  if (report.checkpoints.length === 0) throw new AssertionError({ message: `no checkpoints of ${report.workflow} under ${directory}` });
  return report;
}
