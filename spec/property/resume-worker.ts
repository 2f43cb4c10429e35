// The worker side of ResumePool: imports the workflow's compiled module (which registers the
// workflow by id), decodes the suspension, settles what it awaits in this thread (running
// the task here), resumes once, and sends back the encoded next step.
import { parentPort } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { settle, type Suspension } from "otf";
import { decode, encode } from "otf/pack";

interface Request { id: number; modulePath: string; suspension: Uint8Array; }

parentPort!.on("message", async ({ id, modulePath, suspension }: Request) => {
  try {
    await import(pathToFileURL(modulePath).href);
    const snapshot = decode(suspension) as Suspension;
    const step = snapshot.resume(await settle(snapshot.awaiting));
    parentPort!.postMessage({ id, step: encode(step) });
  } catch (error) {
    parentPort!.postMessage({ id, crash: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
