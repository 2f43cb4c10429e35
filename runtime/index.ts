// otf's runtime: what workflows, tasks and their users call. Compiled workflows call `machine`.
import "./serialization.ts";

export { workflow, drive, type DriveOptions, type Workflow, type Step, type CompiledWorkflow, loadedWorkflow } from "./workflow.ts";
export { Suspension, explainSnapshotFailure, type SuspensionRecord, type FrameShape, type ResumeOptions } from "./suspension.ts";
export { describePlan, type ResumePlan, type PlannedPoint } from "./plan.ts";
export { futuresIn, suspensionFutures } from "./reachable.ts";
export { task, isTask, resolveTask, taskKey, Environment, type Task, type TaskOptions, type TaskReference } from "./task.ts";
export { NamedReference, type EnvironmentValues } from "./reference.ts";
export { Future, defer, isThenable } from "./future.ts";
export { Combinator, settle, settledNow, all, race, allSettled, any } from "./combinators.ts";
export { withExecutor, type Executor } from "./executor.ts";
export { type Outcome, valueOutcome, errorOutcome } from "./outcome.ts";
export { ResumeError, WorkflowError, SnapshotError } from "./errors.ts";
export * as machine from "./machine.ts";
