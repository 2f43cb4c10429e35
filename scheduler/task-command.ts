// The command to run a deferred future's task: its reference, arguments and policy (attempts,
// backoff, timeout), read once per task from its definition.
import { resolveTask, taskKey, type Future } from "../runtime/index.ts";
import type { TaskCommand } from "./store.ts";

const optionsCache = new Map<string, TaskCommand["options"]>();

export async function commandFor(run: string, future: Future): Promise<TaskCommand> {
  const key = taskKey(future.task);
  let options = optionsCache.get(key);
  if (!options) {
    const { attempts = 1, backoffMs = 100, timeoutMs } = (await resolveTask(future.task)).taskOptions;
    options = timeoutMs === undefined ? { attempts, backoffMs } : { attempts, backoffMs, timeoutMs };
    optionsCache.set(key, options);
  }
  return { run, future: future.id, task: future.task, args: future.args, options };
}
