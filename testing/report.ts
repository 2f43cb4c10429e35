// What a person reads when a check fails: the case, the first event on which two runs differ,
// and the checkpoint where they parted (its await, its line, the locals on both sides).
import { inspect } from "node:util";
import { difference } from "./difference.ts";
import type { CheckpointView, RunEvent, RunLog } from "./runs.ts";
import type { TaskOutcome } from "./tasks.ts";

export interface Divergence {
  /** Index in the runs' event sequences of the first event that differs. */
  readonly event: number;
  readonly left: RunEvent | undefined;
  readonly right: RunEvent | undefined;
  /** What differs in the event, as `difference` says it. */
  readonly detail: string;
  /** The checkpoint the runs parted at (the first whose locals differ, else the last before the event), on each side. */
  readonly checkpoint: { readonly left: CheckpointView | undefined; readonly right: CheckpointView | undefined; readonly localsDiffer: string | undefined } | undefined;
}

const show = (value: unknown) => inspect(value, { depth: 6, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 200 });

export function describeEvent(event: RunEvent | undefined): string {
  if (!event) return "(nothing: the run had ended)";
  switch (event.kind) {
    case "await":
      return `await #${event.checkpoint} at line ${event.line}: \`${event.source}\``;
    case "defer":
      return `defer ${event.task}(${Array.isArray(event.args) ? event.args.map(show).join(", ") : String(event.args)})`;
    case "end":
      return event.outcome.kind === "value" ? `returned ${show(event.outcome.value)}` : `threw ${event.outcome.error}`;
  }
}

export function firstDivergence(left: RunLog, right: RunLog): Divergence | undefined {
  const length = Math.max(left.events.length, right.events.length);
  for (let i = 0; i < length; i++) {
    const a = left.events[i];
    const b = right.events[i];
    const detail = a && b ? readablePath(difference(a, b)) : "one run has an event where the other has none";
    if (detail === undefined) continue;
    return { event: i, left: a, right: b, detail, checkpoint: partingCheckpoint(left, right, i) };
  }
  return undefined;
}

/** `$["outcome"]["value"]` as `$.outcome.value`: keys that are identifiers read as properties. */
function readablePath(detail: string | undefined): string | undefined {
  return detail?.replace(/^[^:]*/, (path) => path.replace(/\["([A-Za-z_$][\w$]*)"\]/g, ".$1"));
}

/** The first checkpoint before event `upTo` whose locals differ between the runs, else the last one before it. */
function partingCheckpoint(left: RunLog, right: RunLog, upTo: number): Divergence["checkpoint"] {
  const awaits = left.events.slice(0, upTo).filter((e) => e.kind === "await").length;
  for (let i = 0; i < awaits; i++) {
    const localsDiffer = readablePath(difference(left.checkpoints[i]?.locals, right.checkpoints[i]?.locals));
    if (localsDiffer !== undefined) return { left: left.checkpoints[i], right: right.checkpoints[i], localsDiffer };
  }
  if (awaits === 0) return undefined;
  return { left: left.checkpoints[awaits - 1], right: right.checkpoints[awaits - 1], localsDiffer: undefined };
}

export function describeDivergence(d: Divergence, file: string, leftName: string, rightName: string): string {
  const width = Math.max(leftName.length, rightName.length) + 1;
  const pad = (name: string) => `${name}:`.padEnd(width + 1);
  const lines = [
    `first differing event (#${d.event}):`,
    `  ${pad(leftName)}${describeEvent(d.left)}`,
    `  ${pad(rightName)}${describeEvent(d.right)}`,
    `  difference: ${d.detail}`,
  ];
  const c = d.checkpoint;
  if (!c) {
    lines.push("the runs differ before the first await: the first step already behaves differently");
    return lines.join("\n");
  }
  const at = c.left ?? c.right!;
  lines.push(
    `the runs part at checkpoint #${at.index}, the await at ${file}:${at.line}: \`${at.source}\` [${at.resumePoint}]`,
    `  locals, ${pad(leftName)}${show(c.left?.locals)}`,
    `  locals, ${pad(rightName)}${show(c.right?.locals)}`,
  );
  if (c.localsDiffer) lines.push(`  the locals differ: ${c.localsDiffer}`);
  else lines.push("  the locals agree there: what differs after it is not in the frame (module-level state, identity of an object shared with module scope, a value only this process has)");
  return lines.join("\n");
}

function describeOutcome(outcome: TaskOutcome): string {
  if (outcome.kind === "value") return `returns ${show(outcome.value)}`;
  if (outcome.kind === "timeout") return `times out (${outcome.ms} ms)`;
  return `throws ${outcome.name}: ${outcome.message}`;
}

export function describeCase(c: { args: unknown; outcomes: Readonly<Record<string, readonly TaskOutcome[]>>; randomSeed: number }): string {
  const lines = ["counterexample (shrunk):", `  args: ${show(c.args)}`];
  const tasks = Object.entries(c.outcomes);
  if (tasks.length) {
    lines.push("  task outcomes (call n of a task gets outcome n, cycling):");
    for (const [task, outcomes] of tasks) lines.push(`    ${task}: ${outcomes.map(describeOutcome).join("; ")}`);
  }
  lines.push(`  Math.random seed: ${c.randomSeed}`);
  return lines.join("\n");
}
