// A small pool of worker threads that resume suspensions: a request carries the workflow's
// module URL and the encoded suspension; the worker imports the module, resumes once and
// answers with the encoded next step. Workers share nothing with this thread, so a resume
// there meets none of this thread's module state; a fresh pool goes further and gives every
// resume a worker of its own, so no state a workflow leaves in its module survives a resume.
import { Worker } from "node:worker_threads";
import type { Future, Step } from "otf";
import { decode } from "otf/pack";
import type { EnvironmentState } from "./environment.ts";

export interface ResumeRequest {
  /** URL of the workflow's compiled module (`workflow.definition.module`). */
  readonly module: string;
  /** The suspension, encoded with pack. */
  readonly suspension: Uint8Array;
  /** The awaited outcome (encoded), for when the suspension does not carry it; else the worker settles it. */
  readonly outcome?: Uint8Array;
  /** Leave the tasks the step defers unsettled and send them back, instead of running them in the worker. */
  readonly recordDeferred?: boolean;
  /** Seeded Math.random and fixed clock to resume in. */
  readonly environment?: EnvironmentState;
}

export interface ResumeReply {
  readonly step: Step<unknown>;
  /** The futures the step deferred, in order (with `recordDeferred`), shared with `step`. */
  readonly deferred: readonly Future[];
  readonly environment: EnvironmentState | undefined;
}

export interface ResumePoolOptions {
  /** Worker threads (default 2). */
  readonly size?: number;
  /** A new worker for every resume (slower: a worker starts in about 0.2 s). */
  readonly fresh?: boolean;
}

interface Job { readonly id: number; readonly request: ResumeRequest; resolve(reply: ResumeReply): void; reject(error: Error): void; }
interface Slot { worker: Worker; job: Job | undefined; }
type Answer = { id: number; reply: Uint8Array; environment?: EnvironmentState } | { id: number; crash: string };

// Compiled to dist/, this module is a .js file and so is its worker.
const workerFile = new URL(import.meta.url.endsWith(".ts") ? "./resume-worker.ts" : "./resume-worker.js", import.meta.url);

/** The flags of this process that say how modules load (a test runner adds others a worker refuses). */
function workerFlags(flags: readonly string[]): string[] {
  const kept: string[] = [];
  const withValue = /^(--conditions|-C|--import|--require|-r|--loader|--experimental-loader)$/;
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    if (withValue.test(flag) && i + 1 < flags.length) kept.push(flag, flags[++i]!);
    else if (/^(--conditions|--import|--require|--loader|--experimental-loader)=/.test(flag) || /^--(experimental|no-experimental)-/.test(flag) || flag === "--enable-source-maps") kept.push(flag);
  }
  return kept;
}

export class ResumePool {
  readonly #fresh: boolean;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #next = 0;
  #closed = false;

  constructor(options: ResumePoolOptions = {}) {
    this.#fresh = options.fresh ?? false;
    for (let i = 0; i < (options.size ?? 2); i++) this.#slots.push(this.#spawn());
  }

  /** Resumes the suspension once in a worker; the decoded next step. */
  resume(request: ResumeRequest): Promise<ResumeReply> {
    if (this.#closed) return Promise.reject(new Error("the resume pool is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#next++, request, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new Error("the resume pool was closed"));
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
  }

  #spawn(): Slot {
    // The same flags as this process: its import conditions and loader hooks (otf/register).
    const worker = new Worker(workerFile, { execArgv: workerFlags(process.execArgv) });
    const slot: Slot = { worker, job: undefined };
    worker.on("message", (answer: Answer) => this.#answer(slot, answer));
    // A worker that dies fails its job and is replaced, so later resumes never hang.
    worker.on("error", (error) => {
      slot.job?.reject(error);
      slot.job = undefined;
      this.#replace(slot);
    });
    worker.unref();
    return slot;
  }

  #replace(slot: Slot): void {
    void slot.worker.terminate();
    if (this.#closed) return;
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots[index] = this.#spawn();
    this.#dispatch();
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.job || !this.#queue.length) continue;
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, ...job.request });
    }
  }

  #answer(slot: Slot, answer: Answer): void {
    const job = slot.job;
    if (!job || job.id !== answer.id) return;
    slot.job = undefined;
    slot.worker.unref();
    if ("crash" in answer) job.reject(new Error(`resume in a worker thread threw: ${answer.crash}`));
    else {
      try {
        const { step, deferred } = decode(answer.reply) as { step: Step<unknown>; deferred: Future[] };
        job.resolve({ step, deferred, environment: answer.environment });
      } catch (error) {
        job.reject(error as Error);
      }
    }
    if (this.#fresh) this.#replace(slot);
    else this.#dispatch();
  }
}
