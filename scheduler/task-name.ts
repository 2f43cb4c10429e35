// How the scheduler names a task in messages and traces.
import type { TaskReference } from "../runtime/index.ts";

/** `name(args…)` for messages and traces. */
export function taskName(task: TaskReference): string {
  return task.kind === "export" ? task.export : task.name;
}
