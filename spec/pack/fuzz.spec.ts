// The fuzz properties, briefly, in the default suite (the long run: npm run fuzz:pack).
import { test } from "uvu";
import { fuzzProperties } from "./fuzz.ts";

for (const [name, run] of fuzzProperties(1_500)) test(name, run);

test.run();
