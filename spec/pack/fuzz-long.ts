// The long fuzz run behind `npm run fuzz:pack`: the same properties as the default suite,
// many more inputs. PACK_FUZZ_RUNS sets how many per property (default 200,000).
import { fuzzProperties } from "./fuzz.ts";

const runs = Number(process.env.PACK_FUZZ_RUNS ?? 200_000);
for (const [name, run] of fuzzProperties(runs)) {
  const started = performance.now();
  run();
  console.log(`ok  ${name}  (${runs} inputs, ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
