// otf's scheduler: runs workflows durably, with tasks on worker threads and checkpoints in a store.
// `new Scheduler().run(workflow, ...args)` gives a Trace; `resume(runId)` goes on after a crash.
export { Scheduler, newRunId, type SchedulerOptions, type ResumeOptions } from "./scheduler.ts";
export { traceHtml } from "./html.ts";
export { Trace, readTrace, type Checkpoint, type TraceStatus } from "./trace.ts";
export type { Progress } from "./run-loop.ts";
export type { Store, RunRecord, CheckpointRecord, TaskCommand, TaskResult, FinishRecord, RunSummary, RunStatus, RunProblem, Answer } from "./store.ts";
export { DirectoryStore, type DirectoryStoreOptions } from "./directory-store.ts";
export { MemoryStore } from "./memory-store.ts";
export { PoolExecutor, type PoolOptions } from "./pool.ts";
export { runWithPolicy, type TaskExecutor, type Attempt } from "./executor.ts";
export { StoreError, type StoreErrorCode } from "./errors.ts";
export { defer } from "../runtime/index.ts";
export { PostgresBackend, type PostgresBackendOptions, type WaitOptions } from "./postgres/backend.ts";
// Types only: pg and pg-boss load when `PostgresBackend.connect` is called, not with otf/scheduler.
export type { PostgresStore } from "./postgres/store.ts";
export type { PostgresWorker, WorkerOptions } from "./postgres/worker.ts";
