// The worker side of ResumePool: imports the workflow's compiled module (which registers the
// workflow by id), decodes the suspension and outcome, resumes once, and sends back the
// encoded next step (a suspension, or how the workflow ended).
import { parentPort } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import type { Outcome, Suspension } from "otf";
import { decode, encode } from "otf/pack";

interface Request { id: number; modulePath: string; suspension: Uint8Array; outcome: Uint8Array; }

parentPort!.on("message", async ({ id, modulePath, suspension, outcome }: Request) => {
  try {
    await import(pathToFileURL(modulePath).href);
    const step = (decode(suspension) as Suspension).resume(decode(outcome) as Outcome);
    parentPort!.postMessage({ id, step: encode(step) });
  } catch (error) {
    parentPort!.postMessage({ id, crash: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
