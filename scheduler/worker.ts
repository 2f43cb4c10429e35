// The code each pool thread runs: decode a batch of task calls, run them, encode how each ended.
// Calls and outcomes cross threads in pack's binary form, so a task may take and return anything
// a checkpoint can hold.
import { decode, encode } from "../pack/index.ts";
import { resolveTask, type Outcome, type TaskReference } from "../runtime/index.ts";

export default async function runTasks(bytes: Uint8Array): Promise<Uint8Array[]> {
  const calls = decode(bytes) as Array<{ task: TaskReference; args: unknown[] }>;
  return Promise.all(calls.map(({ task, args }) => runTask(task, args)));
}

async function runTask(task: TaskReference, args: unknown[]): Promise<Uint8Array> {
  let outcome: Outcome;
  try {
    const fn = await resolveTask(task);
    outcome = { kind: "value", value: await fn(...args) };
  } catch (error) {
    outcome = { kind: "error", error };
  }
  try {
    return encode(outcome);
  } catch (problem) {
    if (outcome.kind === "error") return encode({ kind: "error", error: plainError(outcome.error) });
    return encode({ kind: "error", error: plainError(new Error(`the task returned a value that cannot be stored: ${(problem as Error).message}`)) });
  }
}

/** An error pack can carry: a plain Error with the original's name, message, stack, own fields and cause. */
function plainError(error: unknown, depth = 0): Error {
  if (!(error instanceof Error)) return new Error(`a task threw ${typeof error === "object" ? "an unstorable object" : String(error)}`);
  const plain = new Error(error.message, error.cause === undefined || depth > 8 ? undefined : { cause: storable(error.cause, depth + 1) });
  plain.name = error.name;
  plain.stack = error.stack ?? plain.stack;
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ["string", "number", "boolean"].includes(typeof value)) Object.assign(plain, { [key]: value });
  }
  return plain;
}

function storable(value: unknown, depth: number): unknown {
  try {
    encode(value);
    return value;
  } catch {
    return plainError(value, depth);
  }
}
