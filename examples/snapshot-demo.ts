// The core of otf without a scheduler: the seed's getPrimes workflow, stepped by hand.
// At every await the workflow stops as a Suspension (plain data); we print one as text,
// then resume each from its text form, as another process would.
import { defer, settle, task, workflow, type Step } from "otf";
import { dumps, loads } from "otf/pack";

export const isPrime = task((n: number): boolean => {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let i = 3; i * i <= n; i += 2) if (n % i === 0) return false;
  return true;
});

export const getPrimes = workflow(async (candidates: number[]) => {
  const primes: number[] = [];
  const futures = candidates.map((x) => defer(isPrime, x));
  while (futures.length) {
    const candidate = candidates.pop()!;
    const ok = await futures.pop()!; // a checkpoint: the workflow can stop here
    if (ok) primes.push(candidate);
  }
  return primes;
});

const candidates = [112272535095293, 112582705942171, 115280095190773, 115797848077099, 1099726899285419];

console.log("called directly:", await getPrimes([...candidates]));

let step: Step<number[]> = getPrimes.start([...candidates]);
let checkpoints = 0;
while (step.kind === "suspended") {
  checkpoints++;
  const text = dumps(step, { indent: 2 });
  if (checkpoints === 2) console.log(`\ncheckpoint 2, at line ${step.line}: ${step.source}\n${text}\n`);
  const outcome = await settle(step.awaiting);
  step = (loads(text) as typeof step).resume(outcome) as Step<number[]>;
}
console.log(`resumed from text at each of ${checkpoints} checkpoints:`, step.kind === "completed" ? step.value : step.error);
