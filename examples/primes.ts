// The seed's example, end to end: a task that checks one number, a workflow that defers it for
// every candidate and collects the primes, run by the scheduler with a checkpoint at every await.
//   node_modules/.bin/node --conditions=otf-source --import ./transformer/register.ts examples/primes.ts
import { defer, task, workflow } from "otf";

export const isPrime = task((n: number): boolean => {
  if (n < 2) return false;
  if (n === 2) return true;
  if (n % 2 === 0) return false;
  const sqrtN = Math.floor(Math.sqrt(n));
  for (let i = 3; i <= sqrtN; i += 2) if (n % i === 0) return false;
  return true;
});

export const getPrimes = workflow(async (candidates: number[]) => {
  const primes: number[] = [];
  const futures = candidates.map((x) => defer(isPrime, x));
  while (futures.length) {
    const candidate = candidates.pop()!;
    const ok = await futures.pop()!;
    if (ok) primes.push(candidate);
  }
  return primes;
});

export const V = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419];

if (import.meta.main) {
  const { Scheduler } = await import("otf/scheduler");
  const scheduler = new Scheduler();
  try {
    const trace = await scheduler.run(getPrimes, [...V]);
    console.log(`run ${trace.runId}: ${trace.checkpoints.length} checkpoints, stored in .otf/runs/${trace.runId}/ (otf trace ${trace.runId})`);
    for (const checkpoint of trace.checkpoints) {
      const { candidate, primes } = checkpoint.suspension.locals as { candidate: number; primes: number[] };
      const awaited = checkpoint.outcome?.kind === "value" ? String(checkpoint.outcome.value) : `threw ${String(checkpoint.outcome?.error)}`;
      console.log(`  #${checkpoint.index} line ${checkpoint.suspension.line}: ${checkpoint.suspension.source}  candidate=${candidate} primes=[${primes.join(", ")}] → ${awaited}`);
    }
    console.log("trace.value =", trace.value);
  } finally {
    await scheduler.close();
  }
}
