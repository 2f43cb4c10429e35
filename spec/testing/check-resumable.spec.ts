// otf/testing's checkResumable on workflows with the mistakes it must catch (spec/testing/workflows/
// broken.ts), each reported with what a person needs, and on correct workflows, which pass.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AssertionError } from "node:assert";
import fc from "fast-check";
import { checkResumable, fails, succeeds } from "otf/testing";
import { getPrimes } from "../../examples/primes.ts";
import { checkout } from "../../examples/testing/checkout.ts";
import { arbChargeOutcome, arbOrder } from "../../examples/testing/arbitraries.ts";
import * as broken from "./workflows/broken.ts";

/** The message of the AssertionError the check throws; fails the test when it does not throw one. */
async function report(check: Promise<void>): Promise<string> {
  try {
    await check;
  } catch (error) {
    assert.instance(error, AssertionError);
    return (error as Error).message;
  }
  assert.unreachable("the check passed");
  return "";
}

const keys = fc.tuple(fc.string({ maxLength: 8 }));

test("a counter in module scope is reported as nondeterministic, apart from resume failures", async () => {
  const message = await report(checkResumable(broken.countsRuns, { args: keys }));
  assert.match(message, "workflow countsRuns is nondeterministic: two straight runs of the same case differ");
  assert.match(message, /first straight run: +returned \{ found: \d+, run: \d+ \}/);
  assert.match(message, /difference: \$\.outcome\.value\.run: \d+ became \d+/);
  assert.match(message, "the runs part at checkpoint #0, the await at spec/testing/workflows/broken.ts:11");
  assert.match(message, "counterexample (shrunk):\n  args: [ '' ]");
  assert.match(message, /replay with \{ seed: -?\d+, path: "[\d:]+" \}/);
});

test("a cache in module scope is caught when every resume runs in a fresh worker", async () => {
  await checkResumable(broken.cachesInModule, { args: keys, numRuns: 20 });
  const message = await report(checkResumable(broken.cachesInModule, { args: keys, fresh: true, numRuns: 3 }));
  assert.match(message, "workflow cachesInModule does not resume identically");
  assert.match(message, "straight: returned 0\n  resumed:  returned 'missing'");
  assert.match(message, "the runs part at checkpoint #1, the await at spec/testing/workflows/broken.ts:19: `await defer(send, `looked up ${key}`);`");
  assert.match(message, "the locals agree there: what differs after it is not in the frame");
});

test("identity of an object shared with module scope is lost on resume, and reported", async () => {
  const message = await report(checkResumable(broken.comparesIdentity, { args: fc.tuple(fc.option(fc.constantFrom("EUR", "USD"), { nil: undefined })) }));
  assert.match(message, "workflow comparesIdentity does not resume identically");
  assert.match(message, "straight: returned 'defaults'\n  resumed:  returned 'custom'");
  assert.match(message, "locals, straight: { currency: undefined, settings: { currency: 'EUR', retries: 2 } }");
  assert.match(message, "args: [ undefined ]");
});

test("a plain Promise started before an await and awaited after it is reported with its variable and line", async () => {
  const message = await report(checkResumable(broken.awaitsPromiseLater, { args: keys }));
  assert.match(message, "workflow awaitsPromiseLater has a checkpoint that cannot be stored");
  assert.match(message, "checkpoint #0 cannot be packed: local `audited` is live across the await at spec/testing/workflows/broken.ts:35 (`const found = await defer(lookup, key);`)");
  assert.match(message, "at audited: cannot encode a Promise");
});

test("a non-serializable local is reported with its variable, the await's file:line and the path inside it", async () => {
  const message = await report(checkResumable(broken.holdsConnection, { args: keys }));
  assert.match(message, "local `connection` is live across the await at spec/testing/workflows/broken.ts:46");
  assert.match(message, "at connection: cannot encode a instance of unregistered class Connection");
  const nested = await report(checkResumable(broken.holdsNestedConnection, { args: keys }));
  assert.match(nested, "local `session` is live across the await at spec/testing/workflows/broken.ts:53");
  assert.match(nested, "at session.connections[0]: cannot encode");
});

test("Math.random and the clock are the same in every run: a workflow using them passes", async () => {
  await checkResumable(broken.usesRandomAndClock, { args: keys, numRuns: 30 });
});

test("the seed example passes, with isPrime's outcomes generated (values and failures)", async () => {
  await checkResumable(getPrimes, {
    args: fc.tuple(fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 6 })),
    tasks: { isPrime: fc.oneof(succeeds(fc.boolean()), fails("worker lost")) },
  });
});

test("the checkout example passes with failures, timeouts and retries of chargeCard, in this thread and in fresh workers", async () => {
  const tasks = { chargeCard: arbChargeOutcome, reserveStock: (sku: string, quantity: number) => `${sku}×${quantity}` };
  await checkResumable(checkout, { args: fc.tuple(arbOrder), tasks });
  await checkResumable(checkout, { args: fc.tuple(arbOrder), tasks, fresh: true, numRuns: 3 });
});

test.run();
