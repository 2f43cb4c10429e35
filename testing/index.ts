// otf/testing: property-test that your workflows resume as they run, and that the checkpoints
// you have stored still resume with your current code. Needs fast-check (a peer dependency).
export { checkResumable, type CheckResumableOptions, type ResumableCase } from "./check-resumable.ts";
export { succeeds, fails, timesOut, type TaskOutcome, type TaskStandIn } from "./tasks.ts";
export { difference } from "./difference.ts";
export { ResumePool, type ResumePoolOptions, type ResumeRequest, type ResumeReply } from "./pool.ts";
export { packRoundTrip } from "./runs.ts";
export { UnpackableCheckpoint } from "./checkpoint-errors.ts";
export { checkCheckpoints, assertCheckpoints, type CheckpointsReport, type CheckpointReport, type CheckpointStatus } from "./check-checkpoints.ts";
