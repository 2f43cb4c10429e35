// The worker side of ResumePool: imports the workflow's module (which registers the workflow),
// decodes the suspension, settles what it awaits, resumes once in the requested environment,
// and sends back the encoded next step (with the futures it deferred, when asked to keep them).
import { parentPort } from "node:worker_threads";
import { settle, settledNow, withExecutor, type Executor, type Future, type Outcome, type Step, type Suspension } from "otf";
import { decode, encode } from "otf/pack";
import { installEnvironment, type EnvironmentState } from "./environment.ts";
import type { ResumeRequest } from "./pool.ts";

async function resumeOnce(request: ResumeRequest): Promise<{ reply: Uint8Array; environment?: EnvironmentState }> {
  await import(request.module);
  const snapshot = decode(request.suspension) as Suspension;
  const outcome = settledNow(snapshot.awaiting) ?? (request.outcome ? (decode(request.outcome) as Outcome) : await settle(snapshot.awaiting));
  const deferred: Future[] = [];
  const keep: Executor = { submit: (future) => void deferred.push(future) };
  const environment = request.environment && installEnvironment(request.environment);
  let step: Step<unknown>;
  try {
    step = request.recordDeferred ? withExecutor(keep, () => snapshot.resume(outcome)) : snapshot.resume(outcome);
  } finally {
    environment?.restore();
  }
  const reply = encode({ step, deferred });
  return environment ? { reply, environment: environment.state() } : { reply };
}

parentPort!.on("message", async (message: ResumeRequest & { id: number }) => {
  try {
    parentPort!.postMessage({ id: message.id, ...(await resumeOnce(message)) });
  } catch (error) {
    parentPort!.postMessage({ id: message.id, crash: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
