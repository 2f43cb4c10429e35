// A small pool of worker threads that resume suspensions: each request carries the compiled
// module's path and the encoded suspension; the worker settles what it awaits and resumes,
// and the answer is the encoded next step.
// Workers share nothing with this thread, so a resume there is a resume in a fresh process
// as far as the workflow's state goes; the pool is reused across programs for speed.
import { Worker } from "node:worker_threads";
import { decode } from "otf/pack";

interface Pending { resolve: (step: unknown) => void; reject: (error: Error) => void; }
type Reply = { id: number; step: Uint8Array } | { id: number; crash: string };

export class ResumePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.workers.push(this.spawn(i));
  }

  private spawn(index: number): Worker {
    // The same flags as this process: `--conditions=otf-source` and the loader hook.
    const worker = new Worker(new URL("./resume-worker.ts", import.meta.url), { execArgv: process.execArgv });
    worker.on("message", (reply: Reply) => this.answer(reply));
    // A worker that dies fails what is in flight and is replaced, so later resumes never hang.
    worker.on("error", (error) => {
      this.failAll(error);
      this.workers[index] = this.spawn(index);
    });
    return worker;
  }

  /** Settles and resumes `suspension` (encoded with pack) in a worker; the decoded next step. */
  resume(modulePath: string, suspension: Uint8Array): Promise<unknown> {
    const id = this.next++;
    const worker = this.workers[id % this.workers.length];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, modulePath, suspension });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private answer(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if ("crash" in reply) pending.reject(new Error(`resume in a worker thread threw: ${reply.crash}`));
    else pending.resolve(decode(reply.step));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
