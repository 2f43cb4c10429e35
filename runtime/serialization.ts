// Registers the runtime's types with pack, under stable names, so snapshots are data.
import { register, registerValue } from "../pack/index.ts";
import { closureRecord, rebuildClosure, type ClosureRecord } from "./closure.ts";
import { Combinator, type CombinatorKind } from "./combinators.ts";
import { Future } from "./future.ts";
import { NamedReference } from "./reference.ts";
import type { Outcome } from "./outcome.ts";
import { Suspension, type SuspensionRecord } from "./suspension.ts";
import { isTask, loadedTask, type Task, type TaskReference } from "./task.ts";

register(Suspension, {
  name: "otf.Suspension",
  reduce: (suspension: Suspension) => suspension.record,
  rebuild: (record: SuspensionRecord) => new Suspension(record),
});

interface FutureRecord {
  id: string;
  task: TaskReference;
  args: readonly unknown[];
  outcome?: Outcome;
}
register(Future, {
  name: "otf.Future",
  reduce: (future: Future): FutureRecord =>
    future.outcome ? { id: future.id, task: future.task, args: future.args, outcome: future.outcome } : { id: future.id, task: future.task, args: future.args },
  rebuild: (record: FutureRecord) => new Future(record.id, record.task, record.args, record.outcome),
});

register(Combinator, {
  name: "otf.Combinator",
  reduce: (combinator: Combinator) => ({ kind: combinator.kind, items: combinator.items }),
  rebuild: (record: { kind: CombinatorKind; items: unknown[] }) => new Combinator(record.kind, record.items),
});

registerValue({
  name: "otf.Closure",
  test: (value: unknown): value is (...args: never[]) => unknown => closureRecord(value) !== undefined,
  reduce: (fn: (...args: never[]) => unknown) => closureRecord(fn)!,
  rebuild: (record: ClosureRecord) => rebuildClosure(record.id, record.env),
});

registerValue({
  name: "otf.Task",
  test: isTask,
  reduce: (t: Task) => t.taskReference,
  rebuild: (reference: TaskReference) => {
    const known = loadedTask(reference);
    if (!known) throw new Error(`task ${reference.kind === "export" ? `${reference.module}#${reference.export}` : reference.name} is not loaded: import its module first`);
    return known;
  },
});

register(NamedReference, {
  name: "otf.NamedReference",
  reduce: (ref: NamedReference) => (ref.export === undefined ? { module: ref.module } : { module: ref.module, export: ref.export }),
  rebuild: (record: { module: string; export?: string }) => new NamedReference(record.module, record.export),
});
