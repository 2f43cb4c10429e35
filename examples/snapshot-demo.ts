// The core of otf without a scheduler: the seed's getPrimes workflow, stepped by hand.
// At every await the workflow stops as a Suspension (plain data); we print one as text,
// then resume each from its text form, as another process would.
import { settle, type Step } from "otf";
import { dumps, loads } from "otf/pack";
import { getPrimes } from "./primes.ts";

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
